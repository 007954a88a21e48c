import assert from 'node:assert/strict'
import { EvidenceError } from '../../../src/evidence/evidenceError.js'
import { verifyEvidence } from '../../../src/evidence/evidenceVerifier.js'
import { CONTENT_ID, EvidenceFixture, parseBundle } from './evidenceFixture.js'

describe('evidence: a bundle built from a store verifies offline', function () {
  this.timeout(30_000)
  const f = new EvidenceFixture()
  before(async () => { await f.setup() })
  after(async () => { await f.teardown() })

  it('a content id bundle: the match, every batch about its hash, their credentials, the audit records about it', async () => {
    const text = await f.builder.build({ contentId: CONTENT_ID })
    const report = verifyEvidence(Buffer.from(text))
    console.log(report.checks.map(c => `${c.ok} ${c.check} ${c.subject}: ${c.message}`).join('\n'), report.notices)
    assert.equal(report.ok, true)
    const bundle = parseBundle(text)
    assert.equal(bundle.batches.length, 4)
    assert.deepEqual(bundle.audit.records.map(r => r.seq), [2, 4, 5])
    assert.equal(bundle.audit.head.seq, 6)
  })

  it('refuses what it has nothing about', async () => {
    await assert.rejects(f.builder.build({ contentId: 'nope' }), (e: unknown) => e instanceof EvidenceError && e.code === 'NO_EVIDENCE')
    await assert.rejects(f.builder.build({ type: 'md5', value: '00'.repeat(16) }), (e: unknown) => e instanceof EvidenceError && e.code === 'NO_EVIDENCE')
  })
})
