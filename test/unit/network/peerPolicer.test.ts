import assert from 'node:assert/strict'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { silentLogger } from '../../../src/logger.js'
import { createLibp2pNode, type HashmeshLibp2p } from '../../../src/network/libp2pNode.js'
import { PeerPolicer } from '../../../src/network/peerPolicer.js'
import { waitFor } from '../../helpers/waitFor.js'

describe('PeerPolicer', function () {
  it('bans a peer past the limit within the window, not one whose rejects are spread out, and lifts the ban', function () {
    let now = 0
    const policer = new PeerPolicer({ logger: silentLogger(), now: () => now }, { maxRejects: 3, windowMs: 1_000, banMs: 5_000 })
    for (let i = 0; i < 6; i++) { policer.recordReject('slow', 'BAD_SIGNATURE'); now += 400 }
    assert.equal(policer.isBanned('slow'), false)
    for (let i = 0; i < 4; i++) policer.recordReject('fast', 'BAD_SIGNATURE')
    assert.deepEqual(policer.banned(), ['fast'])
    assert.equal(policer.gater.denyDialPeer({ toString: () => 'fast' }), true)
    now += 5_001
    assert.equal(policer.isBanned('fast'), false)
  })

  describe('over real connections', function () {
    let guard: HashmeshLibp2p, offender: HashmeshLibp2p
    let policer: PeerPolicer

    beforeEach(async function () {
      policer = new PeerPolicer({ logger: silentLogger() }, { maxRejects: 2 })
      guard = await createLibp2pNode({
        privateKey: await generateKeyPair('Ed25519'), listen: ['/ip4/127.0.0.1/tcp/0'], announce: [], connectionGater: policer.gater
      })
      policer.attach(guard)
      offender = await createLibp2pNode({ privateKey: await generateKeyPair('Ed25519'), listen: ['/ip4/127.0.0.1/tcp/0'], announce: [] })
      await Promise.all([guard.start(), offender.start()])
    })

    afterEach(async function () {
      await Promise.all([guard.stop(), offender.stop()])
    })

    it('hangs up on a banned peer and refuses it when it comes back', async function () {
      await offender.dial(guard.getMultiaddrs()[0]!)
      const id = offender.peerId.toString()
      for (let i = 0; i < 3; i++) policer.recordReject(id, 'MALFORMED')
      await waitFor('the offender disconnected', async () => guard.getConnections(offender.peerId).length === 0)
      // The gater runs once the handshake names the peer; the dialer may see its dial complete
      // before the guard drops it, so what counts is that neither side stays connected.
      await offender.dial(guard.getMultiaddrs()[0]!, { signal: AbortSignal.timeout(5_000) }).catch(() => undefined)
      await waitFor('the returning offender dropped', async () =>
        guard.getConnections(offender.peerId).length === 0 && offender.getConnections(guard.peerId).length === 0)
      await assert.rejects(guard.dial(offender.getMultiaddrs()[0]!, { signal: AbortSignal.timeout(5_000) }), 'the guard does not dial it either')
    })
  })
})
