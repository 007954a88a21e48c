/** What `hashmesh evidence verify` found: every check by name, what it was about, and what failed. */

export type EvidenceCheckName =
  | 'file' | 'canonical' | 'shape' | 'node-signature' | 'batch' | 'forum-record' | 'credential' | 'audit' | 'match'

export interface EvidenceCheck {
  check: EvidenceCheckName
  /** What was checked, e.g. "batch 2 (publisher 3f1c…, seq 7)". */
  subject: string
  ok: boolean
  /** What was verified, or what failed. */
  message: string
}

export interface EvidenceReport {
  ok: boolean
  /** Who made the bundle and when, as it says (trusted only once its signature verifies). */
  node?: { publisherKey: string, network: string }
  createdAt?: string
  checks: EvidenceCheck[]
  /** Facts worth knowing that are not damage: a revoked credential, a node that trusts by a local list. */
  notices: string[]
}

/** Collects the checks in order. */
export class CheckLog {
  readonly checks: EvidenceCheck[] = []
  readonly notices: string[] = []

  pass (check: EvidenceCheckName, subject: string, message: string): void {
    this.checks.push({ check, subject, ok: true, message })
  }

  fail (check: EvidenceCheckName, subject: string, message: string): void {
    this.checks.push({ check, subject, ok: false, message })
  }

  /** Passes with `message` when `problems` is empty, else fails once per problem. */
  outcome (check: EvidenceCheckName, subject: string, problems: readonly string[], message: string): void {
    if (problems.length === 0) this.pass(check, subject, message)
    for (const p of problems) this.fail(check, subject, p)
  }

  notice (text: string): void {
    this.notices.push(text)
  }

  get ok (): boolean {
    return this.checks.every(c => c.ok)
  }
}

/** A key as people read it in a report: its first 16 hex digits. */
export function short (hexKey: string): string {
  return `${hexKey.slice(0, 16)}…`
}
