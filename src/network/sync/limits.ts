import { MAX_FORUM_RECORDS } from '../../forum/limits.js'
import { MAX_FORUM_RECORD_BYTES, MAX_SIGNED_BATCH_BYTES } from '../../wire/limits.js'

/**
 * Bounds of the sync protocol. Wire bounds (the first group) are part of the protocol: a second
 * implementation must respect the same ones, and proto/README.md states them.
 */

/** A RangeRequest is at most 51 bytes and a HeadsRequest is empty; room for a field or two, no more. */
export const MAX_REQUEST_BYTES = 256

/** A forum has tens to hundreds of publishers; 10,000 leaves room and keeps a heads response under 1 MB. */
export const MAX_HEADS = 10_000

/** One Head in its wrapper: 34 (publisher) + 11 (seq) + 34 (head id) + 2 (tag, length) = 81, rounded up. */
const MAX_ENCODED_HEAD_BYTES = 96

/** The largest heads response a requester reads. */
export const MAX_HEADS_RESPONSE_BYTES = MAX_HEADS * MAX_ENCODED_HEAD_BYTES

/** Batches per range request: enough to amortise a stream per request, few enough that one request stays cheap. */
export const MAX_BATCHES_PER_RANGE = 64

/** Every range frame is one SignedBatch exactly as stored, so it obeys the batch bound. */
export const MAX_RANGE_FRAME_BYTES = MAX_SIGNED_BATCH_BYTES

/**
 * A responder stops a range response before this many bytes (unless its first batch alone is
 * larger), so 64 full-size batches never make one request cost 64 MiB; the requester continues
 * where it stopped.
 */
export const MAX_RANGE_RESPONSE_BYTES = 8 * 1024 * 1024

/**
 * What a requester lets pile up unread on a range stream. Yamux credits its window as bytes arrive,
 * not as they are read, so while the requester validates and stores one batch the responder keeps
 * sending: the buffer must hold a whole response (the byte cap, or one batch past it when that is
 * the first) and every frame's length prefix, or the stream is aborted mid-response.
 */
export const RANGE_READ_BUFFER_BYTES = MAX_RANGE_RESPONSE_BYTES + MAX_RANGE_FRAME_BYTES + MAX_BATCHES_PER_RANGE * 10

/** A forum digest is SHA-256; empty when the requester holds no records. */
export const FORUM_DIGEST_BYTES = 32

/** Records in one forum response: everything a node keeps. */
export const MAX_FORUM_FRAMES = MAX_FORUM_RECORDS

/** Every forum frame is one SignedForumRecord exactly as stored. */
export const MAX_FORUM_FRAME_BYTES = MAX_FORUM_RECORD_BYTES

/**
 * What a requester lets pile up unread on a forum stream while it verifies and stores each record
 * (the same yamux reasoning as RANGE_READ_BUFFER_BYTES): a whole response of full-size records and
 * their length prefixes. Real records are ~300 bytes, so a real response is a small fraction of it.
 */
export const FORUM_READ_BUFFER_BYTES = MAX_FORUM_FRAMES * (MAX_FORUM_FRAME_BYTES + 2)

/** Inbound requests each peer may make per second once its burst is spent. */
export const SERVE_RATE_PER_SECOND = 10

/** Requests a peer may make at once after a quiet spell: a round is one heads request plus a few ranges. */
export const SERVE_BURST = 20

/**
 * A requester paces itself at half what responders allow, so network jitter bunching its requests
 * together never trips an honest responder's limit.
 */
export const REQUEST_RATE_PER_SECOND = SERVE_RATE_PER_SECOND / 2
/** Half the responder's burst, for the same reason. */
export const REQUEST_BURST = SERVE_BURST / 2

/** Peers whose request rate is remembered; the least recently added are forgotten first. */
export const MAX_RATE_LIMITED_PEERS = 4096

/** Requests served at once across all peers: each holds a LevelDB read and a stream's buffers. */
export const MAX_CONCURRENT_SERVES = 32

/** Streams per protocol per connection: an honest requester has at most two open (a round and a gap fetch). */
export const MAX_STREAMS_PER_CONNECTION = 4

/** A responder gives up on a request that has not finished in this time (slow or stalled requester). */
export const SERVE_TIMEOUT_MS = 60_000

/** Peers synced at once: catching up is bounded by verifying signatures, not by the number of sources. */
export const MAX_CONCURRENT_PEER_SYNCS = 4

/** Rounds waiting to run; more connected peers than this wait for the next interval. */
export const MAX_QUEUED_PEER_SYNCS = 256

/**
 * Publishers whose best advertised head is remembered for the sync lag gauge: as many as the trust
 * list holds. Only trusted publishers are remembered, and ones no longer trusted are dropped.
 */
export const MAX_ADVERTISED_PUBLISHERS = 4096
