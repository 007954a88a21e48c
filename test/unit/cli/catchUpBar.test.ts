import assert from 'node:assert/strict'
import { formatCatchUp } from '../../../src/cli/catchUpBar.js'

describe('catch-up progress bar', function () {
  it('is empty when nothing is being caught up', function () {
    assert.equal(formatCatchUp([]), '')
  })

  it('shows one publisher\'s progress, rate and ETA', function () {
    const line = formatCatchUp([{ publisher: 'ab'.repeat(32), peer: 'p', currentSeq: 25, targetSeq: 100, batchesPerSecond: 5 }])
    assert.equal(line, `catching up [########......................] 25/100 batches, 5.0/s ETA 15 s (publisher ${'ab'.repeat(6)}…)`)
  })

  it('sums several publishers and leaves out the ETA before any rate is known', function () {
    const line = formatCatchUp([
      { publisher: 'a', peer: 'p', currentSeq: 0, targetSeq: 10, batchesPerSecond: 0 },
      { publisher: 'b', peer: 'q', currentSeq: 10, targetSeq: 10, batchesPerSecond: 0 }
    ])
    assert.match(line, /\[#{15}\.{15}\] 10\/20 batches, 0\.0\/s \(2 publishers\)$/)
  })
})
