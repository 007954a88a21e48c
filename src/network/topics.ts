/** One gossipsub topic per network; the version suffix lets a future format run beside this one. */
export function batchTopic (network: string): string {
  return `/hashmesh/${network}/batches/1`
}
