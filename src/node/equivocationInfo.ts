import { Decision, type KnownEquivocation } from '../ingest/equivocationTracker.js'
import { toHex } from '../signals/hex.js'
import type { EquivocationDecision, EquivocationInfo } from './interface.js'

const DECISION_NAMES: Record<Decision, EquivocationInfo['decision']> = {
  [Decision.UNDECIDED]: 'undecided',
  [Decision.FOLLOW_STORED]: 'follow-stored',
  [Decision.BLOCK]: 'block'
}

export const DECISIONS: Record<EquivocationDecision, Decision> = {
  'follow-stored': Decision.FOLLOW_STORED,
  block: Decision.BLOCK
}

export function equivocationInfo (e: KnownEquivocation): EquivocationInfo {
  return {
    publisher: toHex(e.publisher),
    forkSeq: e.forkSeq,
    batchA: { batchId: toHex(e.a.id), seq: e.a.body.seq },
    batchB: { batchId: toHex(e.b.id), seq: e.b.body.seq },
    detectedAt: new Date(e.detectedAtMs).toISOString(),
    decision: DECISION_NAMES[e.decision]
  }
}
