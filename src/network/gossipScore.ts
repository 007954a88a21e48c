import type { PeerScoreParams, PeerScoreThresholds, TopicScoreParams } from '@libp2p/gossipsub/score'

/**
 * Gossipsub peer scoring, set in full: every parameter the library would otherwise default. Its
 * defaults are tuned for large open networks. Here they cut honest peers off: P6 (IP colocation)
 * graylisted a node for an hour once 14 peer identities had come and gone on its IP, and P7's
 * threshold of 0 counts even the one early GRAFT that a restarted peer sends.
 *
 * The shape follows lodestar's scoring for Ethereum's gossip (packages/beacon-node/src/network/
 * gossip/scoringParameters.ts): counters decay towards a chosen "gone" level over a stated time;
 * positive scores are small and capped; one invalid message costs what an honest peer can earn;
 * the thresholds are whole numbers of those invalid messages. Unlike lodestar, whose topics carry
 * a steady flow of messages, ours are quiet and bursty, so delivery-rate penalties (P3) are off,
 * as lodestar has them off for its rare topics (exits, slashings).
 *
 * Score, in units of one invalid message (INVALID_MESSAGE_COST, 10):
 * - earned: at most TOPIC_SCORE_CAP (10), from time in the mesh (P1) and first deliveries (P2);
 * - n invalid messages in quick succession (P4): −10·n², so 4 fall below the gossip threshold,
 *   5 below the publish threshold, 7 below the graylist; PeerPolicer hangs up at 6, first;
 * - behaviour (P7): −10·(count − 6)² past 6 protocol faults, so 10 fall below the gossip
 *   threshold and 13 below the graylist.
 */

/** Gossipsub's shortest allowed interval: a penalty fades smoothly, and tens of peers cost nothing to walk. */
const DECAY_INTERVAL_MS = 1_000
/** A counter decayed below this is zero: "decays over T" below means "falls from 1 to this in T". */
const DECAY_TO_ZERO = 0.01

/** The most an honest peer earns; also what one invalid message costs (INVALID_MESSAGE_COST). */
const TOPIC_SCORE_CAP = 10
const INVALID_MESSAGE_COST = TOPIC_SCORE_CAP

/**
 * Invalid-message penalties decay over 10 minutes (half-life about 90 s). Slow enough that a peer
 * dripping 5 rejects a minute, just under PeerPolicer's limit, is graylisted within about 2 minutes;
 * fast enough that a peer whose operator fixed it is heard again without anyone stepping in. Honest
 * peers never earn it: they validate before forwarding, and a refusal an honest relay can cause
 * (not yet trusted, revoked, duplicate) is IGNORE, not REJECT (see ingest/validationError.ts).
 */
const INVALID_DECAY_MS = 10 * 60_000

/**
 * Protocol faults (P7) are tolerated up to 6 and decay over an hour, as lodestar does (threshold 6,
 * about an hour). What trips P7 in an honest peer: a GRAFT within our backoff (1 count, 2 within
 * 10 s of our PRUNE), which a peer sends when it restarts within a minute of our pruning it or
 * within 10 s of leaving the topic; and an IWANT not answered within IWANT_FOLLOWUP_MS. A few of
 * those an hour never reach 6; a peer spamming GRAFTs or advertising messages it never sends does.
 */
const BEHAVIOUR_PENALTY_THRESHOLD = 6
const BEHAVIOUR_DECAY_MS = 60 * 60_000

/**
 * How long a peer has to deliver a message it advertised and we asked for. Gossipsub's 3 s is too
 * short for a peer that is honest but slow: a proof is up to 2 MiB, and a batch counts as delivered
 * only once our validator has checked and stored it (10,000 entries on a loaded machine). Lodestar
 * uses 12 s for the same reason (I/O lag).
 */
export const IWANT_FOLLOWUP_MS = 12_000

/** The factor that, applied every decay interval, takes a counter of 1 down to DECAY_TO_ZERO in `ms`. */
function decayOver (ms: number): number {
  return DECAY_TO_ZERO ** (DECAY_INTERVAL_MS / ms)
}

/**
 * One set for every topic (batches, proofs, forum records): each is signed content with the same
 * validate-then-forward rule, so a peer earns and loses score the same way on each, and one invalid
 * message costs the same on any.
 */
function topicScoreParams (): TopicScoreParams {
  return {
    // Topics are equal; the cap, not the weight, bounds the sum over topics.
    topicWeight: 1,
    // P1: up to +1 for an hour in our mesh. Small, but it ranks a long-standing peer above fresh
    // identities when an oversubscribed mesh is pruned (the best-scored peers are kept).
    timeInMeshWeight: 1 / 3600,
    timeInMeshQuantum: 1_000,
    timeInMeshCap: 3600,
    // P2: +1 for each message a peer brought us first, up to 5, fading over an hour: a peer that
    // delivers is kept in the mesh and grafted opportunistically; only valid messages count, so an
    // identity earns it only by relaying what publishers signed. The cap keeps a busy relay's
    // credit from hiding a run of invalid messages.
    firstMessageDeliveriesWeight: 1,
    firstMessageDeliveriesDecay: decayOver(60 * 60_000),
    firstMessageDeliveriesCap: 5,
    // P3, P3b off: a mesh peer with nothing to forward is quiet, not failing (lodestar's rare topics
    // too). A zero threshold also keeps the sticky P3b counter at zero on prune and disconnect.
    meshMessageDeliveriesWeight: 0,
    meshMessageDeliveriesDecay: 0,
    meshMessageDeliveriesCap: 0,
    meshMessageDeliveriesThreshold: 0,
    meshMessageDeliveriesWindow: 0,
    meshMessageDeliveriesActivation: 0,
    meshFailurePenaltyWeight: 0,
    meshFailurePenaltyDecay: 0,
    // P4: squared, so a burst costs far more than a rare slip: 1 → −10, 3 → −90, 7 → −490.
    invalidMessageDeliveriesWeight: -INVALID_MESSAGE_COST,
    invalidMessageDeliveriesDecay: decayOver(INVALID_DECAY_MS)
  }
}

/** The full score parameters, scoring invalid messages and deliveries on `topics`. */
export function gossipScoreParams (topics: string[]): PeerScoreParams {
  return {
    topics: Object.fromEntries(topics.map(t => [t, topicScoreParams()])),
    topicScoreCap: TOPIC_SCORE_CAP,
    // P5 off: our own verdict on a peer is PeerPolicer, which hangs up and refuses it; the gossip
    // rejects it counts are P4 here already, and adding them again would count them twice.
    appSpecificScore: () => 0,
    appSpecificWeight: 0,
    // P6 off. Peer identities are free, so counting identities per IP stops no Sybil; it only
    // punishes whoever shares the attacker's address: honest nodes behind one NAT, co-hosted
    // forum members, every node on loopback. A forum has tens of members, not the thousands of
    // IPs P6 was tuned for. What stops a crowd of identities is that nothing unsigned is stored
    // or forwarded (signed batches from admitted publishers only), PeerPolicer's disconnect and
    // ban, P4 and the graylist below, and libp2p's limit of 5 inbound connections a second per
    // host. (The threshold is unused at weight 0.)
    IPColocationFactorWeight: 0,
    IPColocationFactorThreshold: 1,
    IPColocationFactorWhitelist: new Set(),
    // P7, see BEHAVIOUR_PENALTY_THRESHOLD: −10 per squared fault past the sixth.
    behaviourPenaltyWeight: -INVALID_MESSAGE_COST,
    behaviourPenaltyThreshold: BEHAVIOUR_PENALTY_THRESHOLD,
    behaviourPenaltyDecay: decayOver(BEHAVIOUR_DECAY_MS),
    decayInterval: DECAY_INTERVAL_MS,
    decayToZero: DECAY_TO_ZERO,
    // Gossipsub keeps a disconnected peer's record, undecayed, this long if its score is not
    // positive. @libp2p/gossipsub 17 gives a returning peer a fresh record anyway (PeerScore.addPeer
    // replaces it), so here the record only holds memory and, with P6 on, its IP's count: that is
    // how peers long gone cut the honest node off. Ten minutes, P4's decay time and PeerPolicer's
    // ban: were retention honoured, leaving would shed no invalid-message penalty. A crowd of fresh
    // identities leaves at most 3,000 records per host (libp2p's 5 inbound connections a second).
    retainScore: INVALID_DECAY_MS
  }
}

/** Ordered graylist < publish < gossip < 0 < opportunistic graft ≤ cap < accept PX; (n): invalid messages that cross it. */
export const GOSSIP_SCORE_THRESHOLDS: Readonly<PeerScoreThresholds> = Object.freeze({
  // (4: −160) We neither send it IHAVE/IWANT gossip nor act on its own.
  gossipThreshold: -100,
  // (5: −250) We no longer flood our own publications to it.
  publishThreshold: -200,
  // (7: −490) Its RPCs are dropped unread. PeerPolicer disconnects at 6, and must act first:
  // a graylisted peer's messages never reach the validator that counts them.
  graylistThreshold: -400,
  // Never: we find peers through the operator's bootstrap list, and dialling whatever a pruning
  // peer suggests is a cheap way for a Sybil crowd to eclipse a node. No honest node sends PX.
  acceptPXThreshold: Number.POSITIVE_INFINITY,
  // When the median mesh peer has earned less than one first delivery (or an hour in the mesh),
  // as in a mesh filled with idle fresh identities, graft two better-scored peers every minute.
  opportunisticGraftThreshold: 1
})
