import assert from 'node:assert/strict'
import { sha256 } from '@noble/hashes/sha2.js'
import { canonicalText } from '../../../src/evidence/canonicalJson.js'
import { EvidenceBuilder } from '../../../src/evidence/evidenceBuilder.js'
import { EvidenceError } from '../../../src/evidence/evidenceError.js'
import type { EvidenceCheckName, EvidenceReport } from '../../../src/evidence/evidenceReport.js'
import { verifyEvidence } from '../../../src/evidence/evidenceVerifier.js'
import { toHex } from '../../../src/signals/hex.js'
import { decodeAuditRecord } from '../../../src/store/auditRecord.js'
import { CONTENT_ID, EvidenceFixture, parseBundle } from './evidenceFixture.js'

function passed (report: EvidenceReport, check: EvidenceCheckName): number {
  return report.checks.filter(c => c.check === check && c.ok).length
}

describe('evidence: bundles built from a store verify offline', function () {
  this.timeout(30_000)
  const f = new EvidenceFixture()
  before(async () => { await f.setup() })
  after(async () => { await f.teardown() })

  it('about a content id: its match record, every batch about the matched hash, their credentials, the audit records about it', async () => {
    const text = await f.builder.build({ contentId: CONTENT_ID })
    const report = verifyEvidence(Buffer.from(text))
    assert.deepEqual(report.checks.filter(c => !c.ok), [])
    assert.equal(report.ok, true)
    for (const [check, count] of [['node-signature', 1], ['batch', 4], ['forum-record', 4], ['credential', 4], ['audit', 3], ['match', 1]] as const) {
      assert.equal(passed(report, check), count, check)
    }
    const bundle = parseBundle(text)
    assert.equal(bundle.subject.contentId, CONTENT_ID)
    assert.deepEqual(bundle.subject.hashes, [{ type: 'md5', value: f.hash }])
    assert.equal(bundle.match?.id, f.match.id)
    assert.deepEqual(bundle.batches.map(b => `${b.publisher}:${b.seq}:${b.entries.map(e => e.action).join()}`).sort(),
      [`${f.a.hex}:1:add`, `${f.a.hex}:2:retract`, `${f.b.hex}:1:add`, `${f.c.hex}:1:false_positive`].sort())
    // The allowlisting of H, the publish of A's batch, the appeal naming the content id; not the records about other things.
    assert.deepEqual(bundle.audit.records.map(r => r.seq), [2, 4, 5])
    assert.deepEqual(bundle.audit.head.seq, 6)
    assert.deepEqual(bundle.forum.roots, [f.root.hex])
    assert.equal(report.node?.publisherKey, bundle.node.publisherKey)
  })

  it('about one hash: no match record, the same batches; a batch\'s other entries are not claimed', async () => {
    const report = verifyEvidence(Buffer.from(await f.builder.build({ type: 'md5', value: f.single.toUpperCase() })))
    assert.equal(report.ok, true, JSON.stringify(report.checks.filter(c => !c.ok)))
    const bundle = parseBundle(await f.builder.build({ type: 'md5', value: f.single }))
    assert.equal(bundle.match, undefined)
    assert.equal(bundle.subject.contentId, undefined)
    assert.deepEqual(bundle.batches.map(b => b.entries), [[{ position: 0, type: 'md5', value: f.single, action: 'add' }]])
    assert.deepEqual(bundle.forum.records.map(r => r.member), [f.a.hex])
  })

  it('is the canonical JSON it parses to, and holds the bytes as they were signed, never anything else of the content', async () => {
    const text = await f.builder.build({ contentId: CONTENT_ID })
    const bundle = parseBundle(text)
    assert.equal(text.endsWith('}'), true)
    const signed = bundle.batches.map(b => Buffer.from(b.signed, 'base64'))
    assert.deepEqual(signed.map(s => s.length).sort(), f.batches.map(b => b.signedBytes.length).sort())
    assert.ok(f.batches.every(b => signed.some(s => Buffer.compare(s, b.signedBytes) === 0)))
  })

  it('making a bundle is audited with the file\'s SHA-256, and the next bundle about the subject holds that record', async () => {
    const first = await f.builder.build({ contentId: CONTENT_ID }, 'officer@example')
    const second = parseBundle(await f.builder.build({ contentId: CONTENT_ID }))
    const exports = second.audit.records.map(r => decodeAuditRecord(Buffer.from(r.record, 'base64'))).filter(r => r.action === 'evidence.export')
    const mine = exports.find(r => r.actor === 'officer@example')
    assert.ok(mine !== undefined)
    assert.deepEqual(mine.details, { contentId: CONTENT_ID, hashes: [f.hash], hashCount: 1, bundle: toHex(sha256(Buffer.from(first))) })
    assert.equal(verifyEvidence(Buffer.from(canonicalText(second))).ok, true)
  })

  it('refuses, naming the bound, a subject with more batches, batch bytes or audit records than a bundle holds', async () => {
    const tooLarge = (pattern: RegExp) => (e: unknown): boolean => e instanceof EvidenceError && e.code === 'EVIDENCE_TOO_LARGE' && pattern.test(e.message)
    await assert.rejects(new EvidenceBuilder(f.components, { maxBatches: 3 }).build({ contentId: CONTENT_ID }), tooLarge(/more than 3 batches/))
    await assert.rejects(new EvidenceBuilder(f.components, { maxBatchBytes: 300 }).build({ contentId: CONTENT_ID }), tooLarge(/exceed 300 bytes/))
    await assert.rejects(new EvidenceBuilder(f.components, { maxAuditRecords: 1 }).build({ contentId: CONTENT_ID }), tooLarge(/more than 1 audit records/))
    assert.equal(verifyEvidence(Buffer.from(await new EvidenceBuilder(f.components, { maxBatches: 4 }).build({ contentId: CONTENT_ID }))).ok, true)
  })

  it('refuses a content id with no match record and a hash it holds nothing about', async () => {
    const none = (e: unknown): boolean => e instanceof EvidenceError && e.code === 'NO_EVIDENCE'
    await assert.rejects(f.builder.build({ contentId: 'never-matched' }), none)
    await assert.rejects(f.builder.build({ type: 'md5', value: '00'.repeat(16) }), none)
    const badQuery = (e: unknown): boolean => e instanceof EvidenceError && e.code === 'BAD_EVIDENCE_QUERY'
    await assert.rejects(f.builder.build({ contentId: 'x'.repeat(513) }), badQuery)
  })
})

describe('evidence: a node without forum roots', function () {
  this.timeout(30_000)
  const f = new EvidenceFixture()
  before(async () => { await f.setup({ roots: false }) })
  after(async () => { await f.teardown() })

  it('verifies, with a notice that membership by trust list cannot be shown', async () => {
    const report = verifyEvidence(Buffer.from(await f.builder.build({ contentId: CONTENT_ID })))
    assert.equal(report.ok, true)
    assert.equal(passed(report, 'credential'), 0)
    assert.match(report.notices.join('\n'), /no forum roots/)
  })
})
