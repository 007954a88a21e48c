/** `[v6]:port` needs the brackets; without them the last colon would be ambiguous. */
const HOST_PORT = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,10})$/

/**
 * Parses HOST:PORT (as in HASHMESH_HTTP and --http). Returns undefined when the shape is wrong; the
 * port's range is left to the config schema so that it reports the value like any other field.
 */
export function parseHostPort (text: string): { host: string, port: number } | undefined {
  const m = HOST_PORT.exec(text.trim())
  if (m === null) return undefined
  return { host: m[1] ?? m[2] ?? '', port: Number(m[3]) }
}

/** The inverse, for URLs: an IPv6 literal gets its brackets back. */
export function formatHostPort (host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`
}
