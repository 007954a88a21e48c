/** One gossipsub topic per network; the version suffix lets a future format run beside this one. */
export function batchTopic (network: string): string {
  return `/hashmesh/${network}/batches/1`
}

/** Equivocation proofs travel apart from batches: they are rare, larger, and validated differently. */
export function equivocationTopic (network: string): string {
  return `/hashmesh/${network}/equivocations/1`
}

/** Forum credentials and revocations: rare, small, and needed before the batches they admit or refuse. */
export function forumTopic (network: string): string {
  return `/hashmesh/${network}/forum/1`
}
