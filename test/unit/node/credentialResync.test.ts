import assert from 'node:assert/strict'
import { CREDENTIAL_ARRIVED, CredentialResync } from '../../../src/node/credentialResync.js'

/** Resolves once every timer due within `ms` has fired: timers fire in order of their due time. */
async function timersDueWithin (ms: number): Promise<void> {
  await new Promise(resolve => setTimeout(resolve, ms))
}

describe('CredentialResync', function () {
  const AFTER_MS = 5
  let arrivals: EventTarget
  let rounds: number
  let resync: CredentialResync

  beforeEach(function () {
    arrivals = new EventTarget()
    rounds = 0
    resync = new CredentialResync({ arrivals, sync: { syncAllConnected: () => { rounds++ } } }, { afterMs: AFTER_MS })
  })

  afterEach(function () { resync.stop() })

  const arrive = (): void => { arrivals.dispatchEvent(new Event(CREDENTIAL_ARRIVED)) }

  it('syncs with every peer once per burst of credentials, and again for a later one', async function () {
    resync.start()
    arrive()
    arrive()
    arrive()
    await timersDueWithin(AFTER_MS * 4)
    assert.equal(rounds, 1)
    arrive()
    await timersDueWithin(AFTER_MS * 4)
    assert.equal(rounds, 2)
  })

  it('does nothing before start, and drops a resync still owed when it stops', async function () {
    arrive()
    resync.start()
    arrive()
    resync.stop()
    await timersDueWithin(AFTER_MS * 4)
    assert.equal(rounds, 0)
  })
})
