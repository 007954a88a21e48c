import type { ForumIngestOutcome, ForumRecordIngester } from '../forum/forumRecordIngester.js'
import type { BatchIngester, IngestOutcome } from '../ingest/batchIngester.js'
import type { EquivocationTracker, ProofOutcome } from '../ingest/equivocationTracker.js'
import type { GossipAction } from '../network/gossipTopic.js'
import type { PeerPolicer } from '../network/peerPolicer.js'
import { type BatchSource, peerOf } from '../wire/batchSource.js'
import { CREDENTIAL_ARRIVED } from './credentialResync.js'

type Sink<O> = (bytes: Uint8Array, source: BatchSource) => Promise<O>

/** Where what peers send (by gossip or sync) goes: the one validation path of each kind, policed. */
export interface PeerSinks {
  batches: Sink<IngestOutcome>
  forum: Sink<ForumIngestOutcome>
  proofs: Sink<ProofOutcome>
}

export interface PeerSinksComponents {
  policer: PeerPolicer
  ingester: BatchIngester
  forumIngester: ForumRecordIngester
  equivocations: EquivocationTracker
  /** Told of every credential a peer's record brings (see CredentialResync). */
  arrivals: EventTarget
  /** Called for every forum record accepted (with the member a credential admits): membership changed, so what matches may have. */
  forumChanged?: (member?: Uint8Array) => void
}

export function peerSinks (c: PeerSinksComponents): PeerSinks {
  return {
    batches: policed(c.policer, async (bytes, source) => await c.ingester.ingest(bytes, source)),
    forum: policed(c.policer, async (bytes, source) => {
      const outcome = await c.forumIngester.ingest(bytes, source)
      if (outcome.code === 'ACCEPTED') c.forumChanged?.(outcome.record?.body.credential?.member)
      if (outcome.code === 'ACCEPTED' && outcome.record?.body.credential !== undefined) c.arrivals.dispatchEvent(new Event(CREDENTIAL_ARRIVED))
      return outcome
    }),
    proofs: policed(c.policer, async (bytes, source) => await c.equivocations.ingestProof(bytes, source))
  }
}

/**
 * Wraps an ingest so every REJECT is reported to the policer, which cuts off repeat offenders. The
 * source names the peer (gossip or sync).
 */
function policed<O extends { action: GossipAction, code: string }> (policer: PeerPolicer, handle: Sink<O>): Sink<O> {
  return async (bytes, source) => {
    const outcome = await handle(bytes, source)
    const peer = peerOf(source)
    if (outcome.action === 'reject' && peer !== undefined) policer.recordReject(peer, outcome.code)
    return outcome
  }
}
