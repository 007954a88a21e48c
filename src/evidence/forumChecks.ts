import { verify } from '../crypto/ed25519.js'
import { rolesNeeded } from '../forum/batchRoles.js'
import { pastRevocationCut, pastRotationCut, revocationNames } from '../forum/cuts.js'
import { toHex } from '../signals/hex.js'
import { decodeSignedForumRecord } from '../wire/forumCodec.js'
import type { DecodedForumRecord } from '../wire/types.js'
import { type VerifiedBatch, batchLabel } from './batchChecks.js'
import type { EvidenceBundle, EvidenceForumRecord } from './evidenceBundle.js'
import { type CheckLog, short } from './evidenceReport.js'

function recordProblems (claim: EvidenceForumRecord, record: DecodedForumRecord, roots: ReadonlySet<string>, network: string): string[] {
  const { body } = record
  const problems: string[] = []
  const member = toHex(body.credential?.member ?? body.revocation!.member)
  const kind = body.credential === undefined ? 'revocation' : 'credential'
  if (toHex(record.id) !== claim.id) problems.push(`id ${short(claim.id)} is not the SHA-256 of the signed body`)
  if (kind !== claim.kind) problems.push(`it is a ${kind}, not a ${claim.kind}`)
  if (member !== claim.member) problems.push(`it names member ${short(member)}`)
  if (body.network !== network) problems.push(`it is for network "${body.network}"`)
  const signer = toHex(body.signer)
  if (!roots.has(signer)) problems.push(`signed by ${short(signer)}, which is not one of the bundle's forum roots`)
  else if (!verify(record.signature, record.bodyBytes, body.signer)) problems.push('signature does not verify')
  const rotation = body.credential?.rotation
  if (rotation !== undefined) {
    if (!verify(rotation.signature, rotation.bodyBytes, rotation.body.oldKey)) problems.push('the embedded key rotation is not signed by its old key')
    if (toHex(rotation.body.newKey) !== member) problems.push('the embedded key rotation is to another key than the member')
    if (rotation.body.network !== network) problems.push(`the embedded key rotation is for network "${rotation.body.network}"`)
  }
  return problems
}

/** Each forum record decodes, is what it is claimed to be, and is signed by a listed root (a rotation also by its old key). */
export function checkForumRecords (bundle: EvidenceBundle, log: CheckLog): DecodedForumRecord[] {
  const roots = new Set(bundle.forum.roots)
  const verified: DecodedForumRecord[] = []
  bundle.forum.records.forEach((claim, i) => {
    const label = `forum record ${i + 1} (${claim.kind} of ${short(claim.member)})`
    let record
    try {
      record = decodeSignedForumRecord(Buffer.from(claim.signed, 'base64'))
    } catch (err) {
      log.fail('forum-record', label, `the signed bytes do not decode: ${(err as Error).message}`)
      return
    }
    const problems = recordProblems(claim, record, roots, bundle.node.network)
    const rotation = record.body.credential?.rotation === undefined ? '' : ' and its key rotation'
    log.outcome('forum-record', label, problems, `signed by root ${short(toHex(record.body.signer))}${rotation}`)
    if (problems.length === 0) verified.push(record)
  })
  return verified
}

/** Revocations and rotations that cut this batch: not damage, but a reader must know it counts for nothing past them. */
function cutNotices (label: string, v: VerifiedBatch, records: readonly DecodedForumRecord[], covering: DecodedForumRecord): string[] {
  const { seq, createdAtMs, publisher } = v.batch.body
  const credential = covering.body.credential!
  const notices: string[] = []
  for (const r of records) {
    const revocation = r.body.revocation
    if (revocation !== undefined && toHex(revocation.member) === toHex(publisher) &&
      revocationNames({ root: toHex(r.body.signer), serial: revocation.serial, issuedAtMs: r.body.createdAtMs },
        { root: toHex(covering.body.signer), serial: credential.serial, issuedAtMs: covering.body.createdAtMs }) &&
        pastRevocationCut(revocation, seq, createdAtMs)) {
      notices.push(`${label}: its credential (serial ${credential.serial}) was revoked and the batch is past the revocation's cut`)
    }
    const rotation = r.body.credential?.rotation?.body
    if (rotation !== undefined && toHex(rotation.oldKey) === toHex(publisher) && pastRotationCut(rotation, seq, createdAtMs)) {
      notices.push(`${label}: the publisher moved to key ${short(toHex(rotation.newKey))} before this batch`)
    }
  }
  return notices
}

/**
 * Each batch's publisher held, at the batch's created_at, a credential from a listed root with the
 * roles its entries need. A node with no roots trusts by its own list, which no one can check offline.
 */
export function checkCredentials (bundle: EvidenceBundle, batches: readonly VerifiedBatch[], records: readonly DecodedForumRecord[], log: CheckLog): void {
  if (bundle.forum.roots.length === 0) {
    if (batches.length > 0) log.notice('the node has no forum roots: it accepts publishers by its own trust list, which a bundle cannot show')
    return
  }
  for (const v of batches) {
    const label = batchLabel(v.claim, v.index)
    const { publisher, createdAtMs } = v.batch.body
    const needed = rolesNeeded(v.batch.body.entries)
    const covering = records.find(r => {
      const c = r.body.credential
      return c !== undefined && toHex(c.member) === toHex(publisher) && c.validFromMs <= createdAtMs && createdAtMs < c.validUntilMs &&
        needed.every(role => c.roles.includes(role))
    })
    if (covering === undefined) {
      const at = new Date(createdAtMs).toISOString()
      log.fail('credential', label, `no credential in the bundle covers created_at ${at} with the roles ${needed.join(', ')}`)
      continue
    }
    const c = covering.body.credential!
    const root = short(toHex(covering.body.signer))
    log.pass('credential', label, `covered by credential serial ${c.serial} of "${c.organisation}" (${c.roles.join(', ')}) from root ${root}`)
    for (const n of cutNotices(label, v, records, covering)) log.notice(n)
  }
}
