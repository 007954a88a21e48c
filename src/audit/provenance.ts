import { verify } from '../crypto/ed25519.js'
import { isoTime } from '../forum/isoTime.js'
import type { RowKind, StandingStatus, StandingView } from '../forum/standing.js'
import type { AllowlistView } from '../lookup/allowlistView.js'
import type { EquivocationView } from '../lookup/lookupService.js'
import { parseSignalValue, toHex } from '../signals/hex.js'
import { storedBatchAt } from '../store/batchScan.js'
import type { EntryRecord, HashStore } from '../store/hashStore.js'
import { isLatestOfPublisher } from '../store/listing.js'
import { decodeSignedBatch } from '../wire/batchCodec.js'
import type { BatchSource } from '../wire/batchSource.js'
import { ACTION_NAMES, type ActionName, type Entry, isOpinion } from '../wire/types.js'

/**
 * Where a verdict on one hash comes from: every stored entry about it (the publishers' own adds and
 * retracts, and their opinions), each traced back to the signed batch that carries it, how it
 * reached this node, and how its publisher stands now. Read from the store and re-verified, not
 * from the lookup index, so it shows what the signatures prove rather than what the node believes.
 */

/** Rows one report covers. A hash re-listed more often is pathological; the report says `truncated`. */
export const MAX_PROVENANCE_ROWS = 1000

/** 'invalid': the stored batch does not decode, is not signed by its publisher, or does not carry this row. */
export type SignatureStatus = 'valid' | 'invalid' | 'missing'

/** How the batch reached this node: published here, or first received from a peer (by gossip or sync). */
export interface Via {
  path: 'local' | 'gossip' | 'sync' | 'unknown'
  peer?: string
}

export interface ProvenanceEvent {
  kind: RowKind
  action: ActionName
  labels: string[]
  reason?: string
  publisher: string
  organisation?: string
  /** The credential that covered the row, and the forum root (hex) that issued it. */
  serial?: number
  root?: string
  standing: StandingStatus
  /** Whether the row counts in lookups under this node's policy now. */
  visible: boolean
  publisherEquivocating: boolean
  seq: number
  position: number
  batchId: string
  signature: SignatureStatus
  /** The publisher's clock. */
  createdAt: string
  /** This node's clock. */
  receivedAt: string
  via: Via
  /** The publisher's latest word of this kind on the hash (a later retract supersedes an add). */
  current: boolean
}

/** The local verdict, as the lookup service gives it (lookupResult.ts HashSummary). */
export interface Verdict {
  match: boolean
  reasons: string[]
  listed: boolean
}

export interface ProvenanceReport {
  type: string
  /** Lowercase hex. */
  value: string
  /** Oldest first: by created-at, then received-at, publisher, seq, position. */
  events: ProvenanceEvent[]
  /** More than MAX_PROVENANCE_ROWS rows exist; these are the first in key order. */
  truncated: boolean
  verdict: Verdict
  allowlisted?: { note: string, author: string, addedAt: string }
}

export interface ProvenanceComponents {
  store: HashStore
  standing: StandingView
  /** The lookup service's verdict on this exact hash (for PDQ: distance 0). */
  verdict: (type: string, valueHex: string) => Promise<Verdict>
  allowlist?: AllowlistView
  equivocations?: EquivocationView
}

/** The store carries an opinion's reason on the row; EntryRecord does not declare it. */
type StoredRow = EntryRecord & { reason?: string }

interface BatchCheck {
  /** 'valid' here still needs the row to be the batch's entry at its position. */
  status: SignatureStatus
  via: Via
  entries?: Entry[]
}

export function viaOf (source: BatchSource): Via {
  return source.kind === 'local' ? { path: 'local' } : { path: source.kind, peer: source.peer }
}

/** Reads and checks one stored batch; each distinct batch is read once per report. */
async function checkBatch (store: HashStore, row: StoredRow): Promise<BatchCheck> {
  let stored
  try {
    stored = await storedBatchAt(store, row.publisher, row.seq)
  } catch {
    return { status: 'invalid', via: { path: 'unknown' } }
  }
  if (stored === undefined) return { status: 'missing', via: { path: 'unknown' } }
  const via = viaOf(stored.source)
  try {
    const batch = decodeSignedBatch(stored.signed)
    const ok = Buffer.compare(batch.id, row.batchId) === 0 &&
      Buffer.compare(batch.body.publisher, row.publisher) === 0 &&
      batch.body.seq === row.seq &&
      verify(batch.signature, batch.bodyBytes, batch.body.publisher)
    return ok ? { status: 'valid', via, entries: batch.body.entries } : { status: 'invalid', via }
  } catch {
    return { status: 'invalid', via }
  }
}

/** The row is what the signed batch says at its position: same hash, action, labels and reason. */
function carries (check: BatchCheck, row: StoredRow, typeName: string, value: Uint8Array): boolean {
  const e = check.entries?.[row.position]
  return e !== undefined && e.signalType === typeName && Buffer.compare(e.value, value) === 0 && e.action === row.action &&
    e.labels.length === row.labels.length && e.labels.every((l, i) => l === row.labels[i]) && (e.reason ?? '') === (row.reason ?? '')
}

interface Sortable { event: ProvenanceEvent, createdAtMs: number, receivedAtMs: number }

function compareEvents (a: Sortable, b: Sortable): number {
  const byText = (x: string, y: string): number => x < y ? -1 : x > y ? 1 : 0
  return a.createdAtMs - b.createdAtMs || a.receivedAtMs - b.receivedAtMs ||
    byText(a.event.publisher, b.event.publisher) || a.event.seq - b.event.seq || a.event.position - b.event.position
}

export async function provenance (c: ProvenanceComponents, typeName: string, valueText: string): Promise<ProvenanceReport> {
  const { type, value } = parseSignalValue(typeName, valueText)
  const hex = toHex(value)
  const all = await c.store.entriesFor(type.code, value) as StoredRow[]
  // `current` is decided over every row read, so a truncated report still says it right for the rows it keeps.
  const rows = all.slice(0, MAX_PROVENANCE_ROWS)
  const sortable: Sortable[] = []
  // Rows come in publisher, seq, position order, so one batch's rows are adjacent: each batch is
  // read once and only one is held at a time (a batch is up to 1 MiB).
  let check: BatchCheck | undefined
  let checkedKey = ''
  for (const [i, row] of rows.entries()) {
    const publisher = toHex(row.publisher)
    const batchKey = `${publisher}:${row.seq}`
    if (check === undefined || batchKey !== checkedKey) {
      check = await checkBatch(c.store, row)
      checkedKey = batchKey
    }
    const kind: RowKind = isOpinion(row.action) ? 'opinion' : 'hash'
    const s = c.standing.standing(row.publisher, row.seq, row.createdAtMs, kind)
    const event: ProvenanceEvent = {
      kind,
      action: ACTION_NAMES[row.action],
      labels: row.labels,
      ...(row.reason === undefined ? {} : { reason: row.reason }),
      publisher,
      ...(s.organisation === undefined ? {} : { organisation: s.organisation }),
      ...(s.serial === undefined ? {} : { serial: s.serial }),
      ...(s.root === undefined ? {} : { root: s.root }),
      standing: s.status,
      visible: s.visible,
      publisherEquivocating: c.equivocations?.isEquivocating(publisher) ?? false,
      seq: row.seq,
      position: row.position,
      batchId: toHex(row.batchId),
      signature: check.status === 'valid' && !carries(check, row, type.name, value) ? 'invalid' : check.status,
      createdAt: isoTime(row.createdAtMs),
      receivedAt: isoTime(row.receivedAtMs),
      via: check.via,
      current: isLatestOfPublisher(all, i)
    }
    sortable.push({ event, createdAtMs: row.createdAtMs, receivedAtMs: row.receivedAtMs })
  }
  const events = sortable.sort(compareEvents).map(s => s.event)
  const mark = c.allowlist?.get(type.code, value)
  return {
    type: type.name,
    value: hex,
    events,
    truncated: all.length > rows.length,
    verdict: await c.verdict(type.name, hex),
    ...(mark === undefined ? {} : { allowlisted: { note: mark.note, author: mark.author, addedAt: isoTime(mark.addedAtMs) } })
  }
}
