import { type HashAggregate, organisationsOf } from './hashAggregate.js'
import type { HashSummary } from './lookupResult.js'

/** Local policy: what a listed hash must also have, or must not have, for this node to call it a match. */
export interface MatchPolicyOptions {
  /** Ignore a hash once this many organisations report it a false positive; 0 never ignores. */
  falsePositiveThreshold: number
  /** A hash carrying one of these labels matches only with at least this many organisations confirming it. */
  confirmationsRequired: Record<string, number>
}

export const DEFAULT_MATCH_POLICY: MatchPolicyOptions = { falsePositiveThreshold: 0, confirmationsRequired: {} }

/** The verdict on one stored hash, and the rules that decided it. */
export interface Verdict {
  match: boolean
  /** A match: why it matches. No match: every rule that refused it (not listed is the only one then). */
  reasons: string[]
}

export type PolicyInput = HashAggregate & Pick<HashSummary, 'allowlisted'>

function organisations (names: readonly string[]): string {
  return `${names.length} organisation${names.length === 1 ? '' : 's'} (${names.join(', ')})`
}

/**
 * Labels of every current add that the policy asks confirmations for, sorted; own keys only
 * ("constructor" is a valid label). Most policies ask for none: that case allocates nothing.
 */
function labelsNeedingConfirmation (hash: PolicyInput, required: Readonly<Record<string, number>>): Array<[string, number]> {
  let found: Map<string, number> | undefined
  for (const a of hash.addedBy) {
    for (const l of a.labels) if (Object.hasOwn(required, l)) (found ??= new Map()).set(l, required[l]!)
  }
  return found === undefined ? [] : [...found].sort(([a], [b]) => a < b ? -1 : 1)
}

/**
 * Evaluated in order: not listed, allowlisted, too many false-positive reports, too few
 * confirmations for a label that needs them; a listed hash none of these refuses matches. Every
 * refusal is reported, not just the first, so an administrator sees all that stands in the way.
 */
export function matchVerdict (hash: PolicyInput, policy: MatchPolicyOptions = DEFAULT_MATCH_POLICY): Verdict {
  if (!hash.listed) {
    const why = hash.retractedBy.length > 0 ? `retracted by ${organisations(organisationsOf(hash.retractedBy))}` : 'no visible publisher adds it'
    return { match: false, reasons: [`not listed: ${why}`] }
  }
  const refusals: string[] = []
  if (hash.allowlisted !== undefined) refusals.push(`allowlisted by ${hash.allowlisted.author}: ${hash.allowlisted.note}`)
  const { confirm, falsePositive } = hash.opinions
  if (policy.falsePositiveThreshold > 0 && falsePositive.count >= policy.falsePositiveThreshold) {
    refusals.push(`reported a false positive by ${organisations(falsePositive.organisations)}; this node ignores a hash at ${policy.falsePositiveThreshold}`)
  }
  const confirmed: string[] = []
  for (const [label, required] of labelsNeedingConfirmation(hash, policy.confirmationsRequired)) {
    const who = confirm.count === 0 ? '' : ` (${confirm.organisations.join(', ')})`
    const line = `label ${label} needs ${required} confirming organisation${required === 1 ? '' : 's'}; ${confirm.count} confirm${who}`
    if (confirm.count < required) refusals.push(line)
    else confirmed.push(line)
  }
  if (refusals.length > 0) return { match: false, reasons: refusals }
  return { match: true, reasons: [`listed by ${organisations(organisationsOf(hash.addedBy))}`, ...confirmed] }
}
