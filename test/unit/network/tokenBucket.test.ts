import assert from 'node:assert/strict'
import { TokenBucket } from '../../../src/network/sync/tokenBucket.js'

describe('TokenBucket', function () {
  let now = 0
  const bucket = (maxKeys = 100): TokenBucket => new TokenBucket({ ratePerSecond: 10, burst: 3, maxKeys, now: () => now })
  beforeEach(function () { now = 1_000_000 })

  it('allows the burst at once, then one token per 1/rate seconds', function () {
    const b = bucket()
    assert.deepEqual([b.tryTake('a'), b.tryTake('a'), b.tryTake('a')], [0, 0, 0])
    assert.equal(b.tryTake('a'), 100)
    now += 40
    assert.equal(b.tryTake('a'), 60)
    now += 60
    assert.equal(b.tryTake('a'), 0)
    assert.equal(b.tryTake('a'), 100)
  })

  it('takes a cost of several tokens at once, or nothing; a cost over the burst never passes', function () {
    const b = bucket()
    assert.equal(b.tryTake('a', 2), 0)
    assert.equal(b.tryTake('a', 2), 100)
    assert.equal(b.has('a', 1), true, 'the refused take took nothing')
    assert.equal(b.tryTake('a', 4), Infinity)
  })

  it('keeps each key apart', function () {
    const b = bucket()
    for (let i = 0; i < 3; i++) b.tryTake('hammer')
    assert.ok(b.tryTake('hammer') > 0)
    assert.equal(b.tryTake('polite'), 0)
  })

  it('never refills past the burst', function () {
    const b = bucket()
    b.tryTake('a')
    now += 60_000
    assert.deepEqual([b.tryTake('a'), b.tryTake('a'), b.tryTake('a'), b.tryTake('a') > 0], [0, 0, 0, true])
  })

  it('remembers at most maxKeys, forgetting refilled buckets before spent ones', function () {
    const b = bucket(2)
    for (let i = 0; i < 3; i++) b.tryTake('spent')
    b.tryTake('idle')
    now += 1_000
    for (let i = 0; i < 3; i++) b.tryTake('spent')
    b.tryTake('new')
    assert.ok(b.tryTake('spent') > 0, 'the spent bucket survived the eviction')
  })
})
