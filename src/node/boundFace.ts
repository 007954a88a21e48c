/**
 * A face's methods bound to it, as own properties, so the node can lay its faces side by side
 * (Object.assign) and serve them as one NodeApi without a wrapper per method. `methods` must name
 * every member of the face: the type refuses a missing or unknown one.
 */
export function boundFace<Face extends object> (impl: Face, methods: Record<keyof Face, true>): Face {
  const face: Partial<Record<keyof Face, unknown>> = {}
  for (const name of Object.keys(methods) as Array<keyof Face>) {
    const method = impl[name] as (...args: unknown[]) => unknown
    face[name] = method.bind(impl)
  }
  return face as Face
}
