import { SyncError } from './errors.js'
import { MAX_BATCHES_PER_RANGE, MAX_CONCURRENT_PEER_SYNCS } from './limits.js'

export interface SyncOptions {
  /** Forum/network name; part of the protocol ids. */
  network: string
  /** How often every connected peer is synced with, besides once on connecting. */
  intervalMs?: number
  /** How long to wait for a stream to open, for a heads response, and for each range frame. */
  requestTimeoutMs?: number
  /** Batches asked for per range request, 1 to MAX_BATCHES_PER_RANGE (what responders serve at most). */
  maxBatchesPerRange?: number
  /** Peers synced with at the same time. */
  maxConcurrentPeers?: number
  /** Least time between two progress lines for one publisher during a long catch-up. */
  progressLogIntervalMs?: number
}

export type ResolvedSyncOptions = Required<SyncOptions>

export const defaultSyncOptions: Omit<ResolvedSyncOptions, 'network'> = {
  intervalMs: 30_000,
  requestTimeoutMs: 10_000,
  maxBatchesPerRange: MAX_BATCHES_PER_RANGE,
  maxConcurrentPeers: MAX_CONCURRENT_PEER_SYNCS,
  progressLogIntervalMs: 5_000
}

function positiveInteger (value: number, name: string, max = Number.MAX_SAFE_INTEGER): number {
  if (!Number.isInteger(value) || value < 1 || value > max) throw new SyncError('INVALID_ARGUMENT', `${name} must be an integer from 1 to ${max}`)
  return value
}

/** Resolved once at construction; a range size above the protocol bound would be refused by every peer. */
export function resolveSyncOptions (options: SyncOptions): ResolvedSyncOptions {
  const given = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined))
  const o: ResolvedSyncOptions = { ...defaultSyncOptions, ...given, network: options.network }
  positiveInteger(o.intervalMs, 'intervalMs')
  positiveInteger(o.requestTimeoutMs, 'requestTimeoutMs')
  positiveInteger(o.maxBatchesPerRange, 'maxBatchesPerRange', MAX_BATCHES_PER_RANGE)
  positiveInteger(o.maxConcurrentPeers, 'maxConcurrentPeers')
  positiveInteger(o.progressLogIntervalMs, 'progressLogIntervalMs')
  return o
}
