import type { VerifiedBatch } from './batchChecks.js'
import type { EvidenceBundle } from './evidenceBundle.js'
import { type CheckLog, short } from './evidenceReport.js'

/** Publishers with a verified batch saying `action` about the hash. */
function saidBy (batches: readonly VerifiedBatch[], type: string, value: string, action: 'add' | 'retract'): Set<string> {
  const who = new Set<string>()
  for (const v of batches) {
    if (v.claim.entries.some(e => e.type === type && e.value === value && e.action === action)) who.add(v.claim.publisher)
  }
  return who
}

/**
 * The match record is about the subject, and what it says of each matched hash (who added it, who
 * retracted it) is borne out by a verified batch in the bundle.
 */
export function checkMatch (bundle: EvidenceBundle, batches: readonly VerifiedBatch[], log: CheckLog): void {
  const { match, subject } = bundle
  if (match === undefined) {
    if (subject.contentId !== undefined) {
      log.fail('match', 'match record', `the bundle is about content id ${JSON.stringify(subject.contentId)} but holds no match record`)
    }
    return
  }
  const label = `match record ${match.id}`
  const problems: string[] = []
  if (match.contentId !== subject.contentId) {
    problems.push(`it is for content id ${JSON.stringify(match.contentId)}, the bundle for ${JSON.stringify(subject.contentId ?? null)}`)
  }
  const type = match.hash.type
  const wanted = new Set(subject.hashes.map(h => `${h.type}:${h.value}`))
  // The builder takes the subject from the record: its matched hashes, or its own hash when it matched none.
  const named = new Set(match.matched.length === 0 ? [`${match.hash.type}:${match.hash.value}`] : match.matched.map(m => `${type}:${m.value}`))
  for (const h of wanted) if (!named.has(h)) problems.push(`subject hash ${h.replace(':', ' ')} is not one the match record names`)
  for (const m of match.matched) {
    if (!wanted.has(`${type}:${m.value}`)) problems.push(`matched hash ${type} ${m.value} is not a hash of the subject`)
    const adds = saidBy(batches, type, m.value, 'add')
    const retracts = saidBy(batches, type, m.value, 'retract')
    const missing = (p: { publisher: string }, what: string): string => `no verified batch in the bundle has ${short(p.publisher)} ${what} ${type} ${m.value}`
    for (const p of m.addedBy) if (!adds.has(p.publisher)) problems.push(missing(p, 'adding'))
    for (const p of m.retractedBy) if (!retracts.has(p.publisher)) problems.push(missing(p, 'retracting'))
  }
  log.outcome('match', label, problems, `content id ${JSON.stringify(match.contentId)}: every matched hash borne out by the batches (${match.matched.length})`)
}
