/**
 * Whether an audit record concerns a bundle's subject: its details name one of the subject's hash
 * values, one of its batch ids, its content id or its match id, as a string anywhere in them.
 * The builder picks records by this rule and the verifier checks each record against it.
 */

/** Details are at most 8 KiB of JSON; nesting past this is not something the node writes. */
const MAX_DEPTH = 8

function strings (value: unknown, depth: number, out: string[]): void {
  if (typeof value === 'string') out.push(value.toLowerCase())
  else if (depth < MAX_DEPTH && typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) strings(v, depth + 1, out)
  }
}

export function concerns (details: Record<string, unknown>, terms: ReadonlySet<string>): boolean {
  const found: string[] = []
  strings(details, 0, found)
  return found.some(s => terms.has(s))
}

export interface AuditTermParts {
  hashes: ReadonlyArray<{ value: string }>
  batchIds: readonly string[]
  contentId?: string
  matchId?: string
}

/** Everything compared lowercase: hex is written lowercase, and a content id differing only in case is taken to be the same. */
export function auditTermsOf (parts: AuditTermParts): Set<string> {
  const ids = [parts.contentId, parts.matchId].filter(t => t !== undefined)
  return new Set([...parts.hashes.map(h => h.value), ...parts.batchIds, ...ids].map(t => t.toLowerCase()))
}
