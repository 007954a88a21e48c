import assert from 'node:assert/strict'
import fc from 'fast-check'
import type { EvidenceReport } from '../../../src/evidence/evidenceReport.js'
import { verifyEvidence } from '../../../src/evidence/evidenceVerifier.js'
import { CONTENT_ID, EvidenceFixture } from './evidenceFixture.js'

const CHECK_NAMES = new Set(['file', 'canonical', 'shape', 'node-signature', 'batch', 'forum-record', 'credential', 'audit', 'match'])

function flipped (bytes: Uint8Array, position: number, mask: number): Uint8Array {
  const copy = Uint8Array.from(bytes)
  copy[position]! ^= mask
  return copy
}

/** Fails, and says where: at least one check failed, each failure with a known name, a subject and a message. */
function assertNamedFailure (report: EvidenceReport, where: string): void {
  assert.equal(report.ok, false, `verify passed with ${where}`)
  const failed = report.checks.filter(c => !c.ok)
  assert.ok(failed.length > 0, `no check named as failing with ${where}`)
  for (const c of failed) {
    assert.ok(CHECK_NAMES.has(c.check), c.check)
    assert.ok(c.subject.length > 0 && c.message.length > 0)
  }
}

describe('evidence: a single changed byte anywhere makes verify fail and name what failed', function () {
  this.timeout(120_000)
  const f = new EvidenceFixture()
  let full: Uint8Array
  let small: Uint8Array
  before(async () => {
    await f.setup()
    full = Buffer.from(await f.builder.build({ contentId: CONTENT_ID }))
    small = Buffer.from(await f.builder.build({ type: 'md5', value: f.single }))
    assert.equal(verifyEvidence(full).ok, true)
    assert.equal(verifyEvidence(small).ok, true)
  })
  after(async () => { await f.teardown() })

  it('every position of a small bundle (one batch, one credential), the low bit flipped', () => {
    let fellToSignatures = 0
    for (let i = 0; i < small.length; i++) {
      const report = verifyEvidence(flipped(small, i, 0x01))
      assertNamedFailure(report, `byte ${i} flipped`)
      if (report.checks.some(c => c.check === 'node-signature')) fellToSignatures++
    }
    // The sweep must reach past parsing: many flips (hex digit to hex digit, base64 to base64) leave well-formed JSON.
    assert.ok(fellToSignatures > small.length / 10, `only ${fellToSignatures} of ${small.length} flips got to the signature checks`)
  })

  it('any position of a full bundle, any bits flipped', () => {
    fc.assert(fc.property(fc.nat({ max: full.length - 1 }), fc.integer({ min: 1, max: 255 }), (position, mask) => {
      assertNamedFailure(verifyEvidence(flipped(full, position, mask)), `byte ${position} ^ ${mask}`)
    }), { numRuns: 300 })
  })
})
