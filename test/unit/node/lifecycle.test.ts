import assert from 'node:assert/strict'
import { Lifecycle } from '../../../src/node/lifecycle.js'
import type { Startable } from '../../../src/network/startable.js'

/** A part that records its starts and stops in `log`, and fails the step named in `fails`. */
function part (name: string, log: string[], fails?: 'start' | 'stop'): Startable {
  return {
    start: async () => {
      if (fails === 'start') throw new Error(`${name} cannot start`)
      log.push(`start ${name}`)
    },
    stop: () => {
      log.push(`stop ${name}`)
      if (fails === 'stop') throw new Error(`${name} cannot stop`)
    }
  }
}

describe('Lifecycle', function () {
  it('starts parts in order and stops them in reverse, the running ones last and never started', async function () {
    const log: string[] = []
    const lifecycle = new Lifecycle({ running: [part('store', log)], toStart: [part('libp2p', log), part('gossip', log), part('sync', log)] })
    await lifecycle.start()
    await lifecycle.stop()
    assert.deepEqual(log, ['start libp2p', 'start gossip', 'start sync', 'stop sync', 'stop gossip', 'stop libp2p', 'stop store'])
  })

  it('a failed start stops what it had started, in reverse, and keeps the running parts for stop', async function () {
    const log: string[] = []
    const toStart = [part('libp2p', log), part('gossip', log), part('sync', log, 'start'), part('keeper', log)]
    const lifecycle = new Lifecycle({ running: [part('store', log)], toStart })
    await assert.rejects(lifecycle.start(), /sync cannot start/)
    assert.deepEqual(log, ['start libp2p', 'start gossip', 'stop gossip', 'stop libp2p'])
    await lifecycle.stop()
    assert.deepEqual(log.slice(4), ['stop store'])
  })

  it('stops every part even when one fails to stop, then reports that failure', async function () {
    const log: string[] = []
    const lifecycle = new Lifecycle({ running: [part('store', log)], toStart: [part('libp2p', log, 'stop'), part('sync', log)] })
    await lifecycle.start()
    await assert.rejects(lifecycle.stop(), /libp2p cannot stop/)
    assert.deepEqual(log.slice(2), ['stop sync', 'stop libp2p', 'stop store'])
  })

  it('stops nothing twice', async function () {
    const log: string[] = []
    const lifecycle = new Lifecycle({ running: [part('store', log)], toStart: [part('sync', log)] })
    await lifecycle.start()
    await lifecycle.stop()
    await lifecycle.stop()
    assert.deepEqual(log, ['start sync', 'stop sync', 'stop store'])
  })
})
