import type { NodeApi } from '../../../src/node/interface.js'

/**
 * A node whose every method throws `error`, for tests of how the faces map a node's errors to
 * statuses and exit codes. It has no domain logic: anything about answers is tested on a real node.
 * `held`, when given, is awaited first, so a test can keep a request in flight.
 */
export function throwingNode (error: Error, held?: () => Promise<void>): NodeApi {
  const fail = async (): Promise<never> => {
    await held?.()
    throw error
  }
  // Not thenable: a proxy that answered `then` would be taken for a promise wherever it is returned.
  return new Proxy({}, { get: (_target, name) => name === 'then' ? undefined : fail }) as NodeApi
}

/**
 * `node` as it is, except that `publish` throws `error` once `succeed` calls have gone through: a
 * node that fails part-way (a full disk), which a real one does not do on demand.
 */
export function failingAfter (node: NodeApi, succeed: number, error: Error): NodeApi {
  let calls = 0
  const publish: NodeApi['publish'] = async (entries, actor) => {
    if (calls++ >= succeed) throw error
    return await node.publish(entries, actor)
  }
  return new Proxy(node, {
    get: (target, name) => {
      if (name === 'publish') return publish
      const value: unknown = Reflect.get(target, name, target)
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value
    }
  })
}
