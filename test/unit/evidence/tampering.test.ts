import assert from 'node:assert/strict'
import { sha256 } from '@noble/hashes/sha2.js'
import { generateSecretKey } from '../../../src/crypto/ed25519.js'
import type { EvidenceBundle } from '../../../src/evidence/evidenceBundle.js'
import type { EvidenceCheck, EvidenceReport } from '../../../src/evidence/evidenceReport.js'
import { verifyEvidence } from '../../../src/evidence/evidenceVerifier.js'
import { toHex } from '../../../src/signals/hex.js'
import { AuditRecordType, decodeAuditRecord } from '../../../src/store/auditRecord.js'
import { encode } from '../../../src/store/records.js'
import { decodeSignedBatch, encodeSignedBatch } from '../../../src/wire/batchCodec.js'
import { T0, Root, rotation } from '../forum/forumFixtures.js'
import { CONTENT_ID, EvidenceFixture, parseBundle, resigned } from './evidenceFixture.js'

function failures (report: EvidenceReport): EvidenceCheck[] {
  return report.checks.filter(c => !c.ok)
}

/**
 * Each change is made to a real bundle, which is then signed again by the node's key, so that the
 * change itself is what verify must find, and the report must name it.
 */
describe('evidence: verify names what was tampered with', function () {
  this.timeout(30_000)
  const f = new EvidenceFixture()
  let text: string
  const fresh = (): EvidenceBundle => parseBundle(text)
  before(async () => {
    await f.setup()
    text = await f.builder.build({ contentId: CONTENT_ID })
  })
  after(async () => { await f.teardown() })

  /** C's opinion: a batch the match record does not rely on, so only the batch check can fail. */
  const opinionOf = (bundle: EvidenceBundle): number => bundle.batches.findIndex(b => b.publisher === f.c.hex)

  it('a forged batch: its signature does not verify', () => {
    const bundle = fresh()
    const i = opinionOf(bundle)
    const batch = decodeSignedBatch(Buffer.from(bundle.batches[i]!.signed, 'base64'))
    const forged = Uint8Array.from(batch.signature)
    forged[5]! ^= 0x40
    bundle.batches[i]!.signed = Buffer.from(encodeSignedBatch(batch.bodyBytes, forged)).toString('base64')
    const report = verifyEvidence(resigned(bundle, f.nodeSecret))
    assert.equal(report.ok, false)
    assert.deepEqual(failures(report).map(c => [c.check, c.subject, c.message]),
      [['batch', `batch ${i + 1} (publisher ${f.c.hex.slice(0, 16)}…, seq 1)`, 'signature does not verify']])
  })

  it('a batch the match relies on, forged: the batch fails, and the match record is no longer borne out', () => {
    const bundle = fresh()
    const i = bundle.batches.findIndex(b => b.publisher === f.b.hex)
    const batch = decodeSignedBatch(Buffer.from(bundle.batches[i]!.signed, 'base64'))
    const forged = Uint8Array.from(batch.signature)
    forged[0]! ^= 0x01
    bundle.batches[i]!.signed = Buffer.from(encodeSignedBatch(batch.bodyBytes, forged)).toString('base64')
    assert.deepEqual(failures(verifyEvidence(resigned(bundle, f.nodeSecret))).map(c => c.check), ['batch', 'match'])
  })

  it('a batch claimed to say what it does not: the entry is named', () => {
    const bundle = fresh()
    bundle.batches[opinionOf(bundle)]!.entries[0]!.action = 'confirm'
    const found = failures(verifyEvidence(resigned(bundle, f.nodeSecret)))
    assert.equal(found.length, 1)
    assert.equal(found[0]!.check, 'batch')
    assert.match(found[0]!.message, /^entry 0 is false_positive md5 [0-9a-f]{32}, not confirm md5/)
  })

  it('a batch of another network, or under another id: named', () => {
    const bundle = fresh()
    bundle.node.network = 'elsewhere'
    bundle.batches[0]!.id = 'ab'.repeat(32)
    const messages = failures(verifyEvidence(resigned(bundle, f.nodeSecret))).map(c => c.message)
    assert.ok(messages.some(m => m.includes('is not the SHA-256 of the signed body')), messages.join('\n'))
    assert.ok(messages.some(m => m.includes('the batch is for network "test", the node\'s is "elsewhere"')))
  })

  it('a forum record from a key that is not a listed root: the record fails, and so does the credential check of its member\'s batch', () => {
    const bundle = fresh()
    const stranger = new Root()
    const i = bundle.forum.records.findIndex(r => r.member === f.b.hex)
    bundle.forum.records[i] = {
      ...bundle.forum.records[i]!,
      ...(() => {
        const record = stranger.credential(f.b.publicKey, { organisation: 'Org B', roles: ['publish'] })
        return { id: toHex(record.id), signed: Buffer.from(record.signedBytes).toString('base64') }
      })()
    }
    const found = failures(verifyEvidence(resigned(bundle, f.nodeSecret)))
    assert.deepEqual(found.map(c => c.check), ['forum-record', 'credential'])
    assert.match(found[0]!.message, /^signed by [0-9a-f]{16}…, which is not one of the bundle's forum roots$/)
    assert.match(found[1]!.subject, new RegExp(`publisher ${f.b.hex.slice(0, 16)}`))
  })

  /** Replaces B's credential with `record` (signed by the bundle's root), as a node that held it would have bundled it. */
  function withCredentialOfB (bundle: EvidenceBundle, record: ReturnType<Root['credential']>): Uint8Array {
    const i = bundle.forum.records.findIndex(r => r.member === f.b.hex)
    bundle.forum.records[i] = { ...bundle.forum.records[i]!, id: toHex(record.id), signed: Buffer.from(record.signedBytes).toString('base64') }
    return resigned(bundle, f.nodeSecret)
  }

  it('a credential embedding a key rotation: the old key\'s signature is checked, and a forged one named', () => {
    const old = generateSecretKey()
    const genuine = f.root.credential(f.b.publicKey, { organisation: 'Org B', roles: ['publish'], rotation: rotation(old, f.b.publicKey) })
    const passed = verifyEvidence(withCredentialOfB(fresh(), genuine))
    assert.equal(passed.ok, true, JSON.stringify(failures(passed)))
    assert.ok(passed.checks.some(c => c.check === 'forum-record' && c.message.endsWith('and its key rotation')))
    const forgedRotation = rotation(old, f.b.publicKey, { signer: generateSecretKey() })
    const forged = f.root.credential(f.b.publicKey, { organisation: 'Org B', roles: ['publish'], rotation: forgedRotation })
    const found = failures(verifyEvidence(withCredentialOfB(fresh(), forged)))
    assert.deepEqual(found.map(c => c.check), ['forum-record', 'credential'])
    assert.equal(found[0]!.message, 'the embedded key rotation is not signed by its old key')
  })

  it('a credential that does not cover the batch\'s time, or lacks the role: the batch\'s credential check fails', () => {
    const expired = f.root.credential(f.b.publicKey, { organisation: 'Org B', roles: ['publish'], validFromMs: T0 - 10, validUntilMs: T0 })
    const opineOnly = f.root.credential(f.b.publicKey, { organisation: 'Org B', roles: ['opine'] })
    for (const record of [expired, opineOnly]) {
      const found = failures(verifyEvidence(withCredentialOfB(fresh(), record)))
      assert.deepEqual(found.map(c => c.check), ['credential'])
      assert.match(found[0]!.message, /^no credential in the bundle covers created_at .* with the roles publish$/)
    }
  })

  it('a revocation whose cut the batch is past: verifies, with a notice saying so', () => {
    const bundle = fresh()
    const revocation = f.root.revocation(f.c.publicKey, { effectiveAtMs: T0, createdAtMs: T0 + 1 })
    bundle.forum.records.push({ id: toHex(revocation.id), kind: 'revocation', member: f.c.hex, signed: Buffer.from(revocation.signedBytes).toString('base64') })
    const report = verifyEvidence(resigned(bundle, f.nodeSecret))
    assert.equal(report.ok, true, JSON.stringify(failures(report)))
    assert.match(report.notices.join('\n'), /was revoked and the batch is past the revocation's cut/)
  })

  it('a root the bundle slips in: still a failure of the node\'s signature, since the roots are signed with the rest', () => {
    const bundle = fresh()
    bundle.forum.roots = [...bundle.forum.roots, new Root().hex].sort()
    const found = failures(verifyEvidence(Buffer.from(JSON.stringify(bundle))))
    assert.ok(found.some(c => c.check === 'canonical' || c.check === 'node-signature'))
  })

  it('an audit record edited: its hash no longer matches, nor the next record\'s link; with the hash fixed too, the link alone', () => {
    const bundle = fresh()
    const i = bundle.audit.records.findIndex(r => r.seq === 4)
    const bytes = Buffer.from(bundle.audit.records[i]!.record, 'base64')
    const r = decodeAuditRecord(bytes)
    const edited = encode(AuditRecordType, { ...r, actor: 'mallory', details: JSON.stringify(r.details) })
    bundle.audit.records[i]!.record = Buffer.from(edited).toString('base64')
    const unhashed = failures(verifyEvidence(resigned(bundle, f.nodeSecret)))
    assert.deepEqual(unhashed.map(c => [c.check, c.subject]), [['audit', 'audit record 4'], ['audit', 'audit record 5']])
    assert.match(unhashed[0]!.message, /is not the SHA-256 of the record/)
    bundle.audit.records[i]!.hash = toHex(sha256(edited))
    const unlinked = failures(verifyEvidence(resigned(bundle, f.nodeSecret)))
    assert.deepEqual(unlinked.map(c => [c.check, c.subject, c.message]), [['audit', 'audit record 5', 'prev is not the hash of record 4: the link is broken']])
  })

  it('an audit record about something else: named as not concerning the subject', () => {
    const bundle = fresh()
    bundle.subject.contentId = 'another-upload'
    bundle.match!.contentId = 'another-upload'
    const found = failures(verifyEvidence(resigned(bundle, f.nodeSecret)))
    assert.deepEqual(found.map(c => [c.check, c.subject]), [['audit', 'audit record 5']])
    assert.match(found[0]!.message, /name none of the subject's hashes, batches or ids/)
  })

  it('signed by another key than the one it names: the node signature fails, and nothing else', () => {
    const found = failures(verifyEvidence(resigned(fresh(), generateSecretKey())))
    assert.deepEqual(found.map(c => [c.check, c.message]),
      [['node-signature', 'signature over the bundle does not verify: the bundle was changed after it was made, or not made by this key']])
  })

  it('made by another node than the reader expects: named', () => {
    const found = failures(verifyEvidence(Buffer.from(text), { nodeKey: 'cd'.repeat(32) }))
    assert.deepEqual(found.map(c => c.check), ['node-signature'])
    assert.match(found[0]!.message, /not the expected cdcd/)
  })

  it('a match record that claims a listing no batch bears out', () => {
    const bundle = fresh()
    bundle.match!.matched[0]!.addedBy.push({ publisher: f.c.hex, labels: [] })
    const found = failures(verifyEvidence(resigned(bundle, f.nodeSecret)))
    assert.deepEqual(found.map(c => c.check), ['match'])
    assert.match(found[0]!.message, new RegExp(`no verified batch in the bundle has ${f.c.hex.slice(0, 16)}… adding md5 ${f.hash}`))
  })

  it('a subject hash the match record does not name: named', () => {
    const bundle = fresh()
    bundle.subject.hashes.push({ type: 'md5', value: 'ee'.repeat(16) })
    const found = failures(verifyEvidence(resigned(bundle, f.nodeSecret)))
    assert.deepEqual(found.map(c => [c.check, c.message]), [['match', `subject hash md5 ${'ee'.repeat(16)} is not one the match record names`]])
  })

  it('the same JSON not in canonical form (pretty-printed, a trailing newline): refused before anything else', () => {
    for (const variant of [JSON.stringify(fresh(), null, 2), `${text}\n`, `\ufeff${text}`]) {
      const report = verifyEvidence(Buffer.from(variant))
      assert.deepEqual(report.checks.filter(c => !c.ok).map(c => c.check), [variant.startsWith('\ufeff') ? 'file' : 'canonical'])
    }
  })

  it('a member the format does not have: a shape failure naming where', () => {
    const bundle = { ...fresh(), extra: true }
    const found = failures(verifyEvidence(resigned(bundle, f.nodeSecret)))
    assert.deepEqual(found.map(c => c.check), ['shape'])
  })
})
