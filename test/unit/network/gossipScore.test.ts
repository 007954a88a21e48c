import assert from 'node:assert/strict'
import type { ComponentLogger } from '@libp2p/interface'
import { ScorePenalty } from '@libp2p/gossipsub/metrics'
import {
  PeerScore, createPeerScoreParams, defaultPeerScoreThresholds, validatePeerScoreParams, validatePeerScoreThresholds, type PeerScoreParams
} from '@libp2p/gossipsub/score'
import { GOSSIP_SCORE_THRESHOLDS as T, gossipScoreParams } from '../../../src/network/gossipScore.js'
import { DEFAULT_MAX_REJECTS } from '../../../src/network/peerPolicer.js'

const TOPIC = '/hashmesh/test/batches/1'
const HONEST = 'honest'
/** One decay interval of gossipsub's scoring: PeerScore decays once per refreshScores() call. */
const TICKS_PER_MINUTE = 60

const quiet = Object.assign(() => {}, { enabled: false, error: () => {}, trace: () => {}, newScope: () => quiet })
const logger = { forComponent: () => quiet } as unknown as ComponentLogger

/** Gossipsub's own scorer (the code the node runs), fed by hand; scores are never cached. */
function scorer (params: PeerScoreParams): PeerScore {
  return new PeerScore(params, null, logger, { scoreCacheValidityMs: 0 })
}

function connect (score: PeerScore, id: string, ip = '127.0.0.1'): void {
  score.addPeer(id)
  score.addIP(id, ip)
}

function tick (score: PeerScore, n: number): void {
  for (let i = 0; i < n; i++) score.refreshScores()
}

/** A crowd of identities that connect from the honest peer's IP, subscribe, and leave again. */
function crowdComesAndGoes (score: PeerScore, size: number): void {
  for (let i = 0; i < size; i++) {
    connect(score, `sybil-${i}`)
    score.graft(`sybil-${i}`, TOPIC)
  }
  tick(score, 3)
  for (let i = 0; i < size; i++) score.removePeer(`sybil-${i}`)
  tick(score, 3)
}

/** The score after `n` invalid messages in quick succession, from a peer with `credit` first deliveries. */
function afterInvalid (n: number, credit = 0): number {
  const score = scorer(gossipScoreParams([TOPIC]))
  connect(score, HONEST)
  for (let i = 0; i < credit; i++) score.markFirstMessageDelivery(HONEST, TOPIC)
  for (let i = 0; i < n; i++) score.markInvalidMessageDelivery(HONEST, TOPIC)
  return score.score(HONEST)
}

describe('gossip peer scoring (gossipScore.ts, run through gossipsub\'s own PeerScore)', function () {
  it('is a full configuration gossipsub accepts, scoring every topic named', function () {
    const params = gossipScoreParams(['a', 'b', 'c'])
    validatePeerScoreParams(params)
    validatePeerScoreThresholds({ ...T })
    assert.deepEqual(Object.keys(params.topics), ['a', 'b', 'c'])
    assert.deepEqual(createPeerScoreParams(params), params, 'no parameter is left to a library default')
  })

  it('has no IP-colocation penalty: 50 identities coming and going on the honest peer\'s IP leave its score at 0', function () {
    assert.equal(gossipScoreParams([TOPIC]).IPColocationFactorWeight, 0)
    const ours = scorer(gossipScoreParams([TOPIC]))
    connect(ours, HONEST)
    crowdComesAndGoes(ours, 50)
    assert.equal(ours.score(HONEST), 0)

    // The library's defaults, for contrast: 14 identities were enough to graylist the honest peer.
    const defaults = scorer(createPeerScoreParams({ topics: { [TOPIC]: gossipScoreParams([TOPIC]).topics[TOPIC]! } }))
    connect(defaults, HONEST)
    crowdComesAndGoes(defaults, 14)
    assert.ok(defaults.score(HONEST) < defaultPeerScoreThresholds.graylistThreshold, `default P6 score ${defaults.score(HONEST)}`)
  })

  it('orders its thresholds graylist < publish < gossip < 0 < opportunistic graft <= topic score cap < accept PX', function () {
    const cap = gossipScoreParams([]).topicScoreCap
    assert.ok(T.graylistThreshold < T.publishThreshold && T.publishThreshold < T.gossipThreshold && T.gossipThreshold < 0)
    assert.ok(T.opportunisticGraftThreshold > 0 && T.opportunisticGraftThreshold <= cap)
    assert.ok(T.acceptPXThreshold > cap, 'no peer can earn the right to have us dial the peers it suggests')
  })

  it('crosses each threshold at a fixed count of invalid messages, with or without earned credit; the graylist only after PeerPolicer\'s ban', function () {
    const banAt = DEFAULT_MAX_REJECTS + 1
    for (const credit of [0, 5]) {
      assert.ok(afterInvalid(3, credit) >= T.gossipThreshold && afterInvalid(4, credit) < T.gossipThreshold, `gossip at 4 (credit ${credit})`)
      assert.ok(afterInvalid(4, credit) >= T.publishThreshold && afterInvalid(5, credit) < T.publishThreshold, `publish at 5 (credit ${credit})`)
      assert.ok(afterInvalid(banAt, credit) >= T.graylistThreshold, `still heard at the ban (${banAt}), so the policer counts them (credit ${credit})`)
      assert.ok(afterInvalid(banAt + 1, credit) < T.graylistThreshold, `graylisted right after (credit ${credit})`)
    }
  })

  it('graylists a peer dripping rejects just under PeerPolicer\'s limit within 3 minutes, and hears it again within 5 once it stops', function () {
    const score = scorer(gossipScoreParams([TOPIC]))
    connect(score, 'dripper')
    let minutes = 0
    while (score.score('dripper') >= T.graylistThreshold && minutes < 3) {
      for (let i = 0; i < DEFAULT_MAX_REJECTS; i++) {
        score.markInvalidMessageDelivery('dripper', TOPIC)
        tick(score, TICKS_PER_MINUTE / DEFAULT_MAX_REJECTS)
      }
      minutes++
    }
    assert.ok(score.score('dripper') < T.graylistThreshold, `graylisted after ${minutes} min`)
    tick(score, 5 * TICKS_PER_MINUTE)
    assert.ok(score.score('dripper') >= T.gossipThreshold, `score ${score.score('dripper')} 5 min after the last reject`)
  })

  it('shrugs off the protocol faults an honest peer makes (an early GRAFT after a restart, a late IWANT reply), not a run of them', function () {
    const score = scorer(gossipScoreParams([TOPIC]))
    connect(score, HONEST)
    score.addPenalty(HONEST, 2, ScorePenalty.GraftBackoff)
    score.addPenalty(HONEST, 1, ScorePenalty.BrokenPromise)
    score.addPenalty(HONEST, 2, ScorePenalty.GraftBackoff)
    assert.equal(score.score(HONEST), 0, 'not negative, so it keeps its place in the mesh')
    connect(score, 'spammer')
    score.addPenalty('spammer', 10, ScorePenalty.GraftBackoff)
    assert.ok(score.score('spammer') < T.gossipThreshold)
    score.addPenalty('spammer', 3, ScorePenalty.BrokenPromise)
    assert.ok(score.score('spammer') < T.graylistThreshold)
  })
})
