const SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM']

/**
 * Resolves on the first SIGINT or SIGTERM, so the caller can shut down in order. A second signal
 * means the operator will not wait: `onForce` runs (and should exit at once).
 */
export async function firstShutdownSignal (onForce: (signal: NodeJS.Signals) => void): Promise<NodeJS.Signals> {
  return await new Promise(resolve => {
    let received = false
    const handler = (signal: NodeJS.Signals): void => {
      if (received) onForce(signal)
      received = true
      resolve(signal)
    }
    for (const signal of SIGNALS) process.on(signal, handler)
  })
}
