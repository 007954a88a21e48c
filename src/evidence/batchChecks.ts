import { verify } from '../crypto/ed25519.js'
import { toHex } from '../signals/hex.js'
import { decodeSignedBatch } from '../wire/batchCodec.js'
import { ACTION_NAMES, type DecodedBatch } from '../wire/types.js'
import type { EvidenceBatch, EvidenceBundle } from './evidenceBundle.js'
import { type CheckLog, short } from './evidenceReport.js'

/** A batch whose bytes decoded and whose claims held: what the later checks build on. */
export interface VerifiedBatch {
  /** Its place in the bundle's list, from 0. */
  index: number
  claim: EvidenceBatch
  batch: DecodedBatch
}

export function batchLabel (b: EvidenceBatch, i: number): string {
  return `batch ${i + 1} (publisher ${short(b.publisher)}, seq ${b.seq})`
}

const hashKey = (type: string, value: string): string => `${type}:${value}`

/**
 * The claimed entries are the batch's own at their positions, each about a subject hash, and no
 * entry of the batch about a subject hash goes unclaimed.
 */
function entryProblems (claim: EvidenceBatch, batch: DecodedBatch, subject: ReadonlySet<string>): string[] {
  const problems: string[] = []
  const claimed = new Set<number>()
  for (const e of claim.entries) {
    const actual = batch.body.entries[e.position]
    claimed.add(e.position)
    if (!subject.has(hashKey(e.type, e.value))) problems.push(`entry ${e.position} (${e.type} ${e.value}) is not about a hash of the subject`)
    if (actual === undefined) problems.push(`the batch has no entry ${e.position}`)
    else if (actual.signalType !== e.type || toHex(actual.value) !== e.value || ACTION_NAMES[actual.action] !== e.action) {
      const said = `${ACTION_NAMES[actual.action]} ${actual.signalType} ${toHex(actual.value)}`
      problems.push(`entry ${e.position} is ${said}, not ${e.action} ${e.type} ${e.value} as claimed`)
    }
  }
  batch.body.entries.forEach((actual, position) => {
    if (!claimed.has(position) && subject.has(hashKey(actual.signalType, toHex(actual.value)))) {
      problems.push(`entry ${position} (${ACTION_NAMES[actual.action]} ${actual.signalType} ${toHex(actual.value)}) is about the subject but not listed`)
    }
  })
  return problems
}

function checkOne (claim: EvidenceBatch, network: string, subject: ReadonlySet<string>): { problems: string[], batch?: DecodedBatch } {
  let batch
  try {
    batch = decodeSignedBatch(Buffer.from(claim.signed, 'base64'))
  } catch (err) {
    return { problems: [`the signed bytes do not decode: ${(err as Error).message}`] }
  }
  const problems: string[] = []
  if (toHex(batch.id) !== claim.id) problems.push(`id ${short(claim.id)} is not the SHA-256 of the signed body (${short(toHex(batch.id))})`)
  if (toHex(batch.body.publisher) !== claim.publisher) problems.push(`the signed body names publisher ${short(toHex(batch.body.publisher))}`)
  if (batch.body.seq !== claim.seq) problems.push(`the signed body says seq ${batch.body.seq}`)
  if (batch.body.network !== network) problems.push(`the batch is for network "${batch.body.network}", the node's is "${network}"`)
  if (!verify(batch.signature, batch.bodyBytes, batch.body.publisher)) problems.push('signature does not verify')
  problems.push(...entryProblems(claim, batch, subject))
  return { problems, batch }
}

/** Each batch: its bytes decode, its id, publisher, seq and network are as claimed, its signature verifies, it says what is claimed. */
export function checkBatches (bundle: EvidenceBundle, log: CheckLog): VerifiedBatch[] {
  const subject = new Set(bundle.subject.hashes.map(h => hashKey(h.type, h.value)))
  const verified: VerifiedBatch[] = []
  const ids = new Set<string>()
  bundle.batches.forEach((claim, i) => {
    const label = batchLabel(claim, i)
    const { problems, batch } = checkOne(claim, bundle.node.network, subject)
    if (ids.has(claim.id)) problems.push('the same batch is listed twice')
    ids.add(claim.id)
    const entries = claim.entries.length === 1 ? '1 entry' : `${claim.entries.length} entries`
    log.outcome('batch', label, problems, `signature, id, network and ${entries} about the subject verified`)
    if (problems.length === 0 && batch !== undefined) verified.push({ index: i, claim, batch })
  })
  return verified
}
