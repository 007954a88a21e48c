import { sha256 } from '@noble/hashes/sha2.js'
import { HashmeshError } from '../errors.js'
import { toHex } from '../signals/hex.js'
import type { AuditAction, AuditAppender, AuditEntryInput } from './auditEntry.js'
import { AuditRecordType, AUDIT_HASH_BYTES, decodeAuditRecord } from './auditRecord.js'
import { Bucket, MetaKey } from './buckets.js'
import type { HashStore } from './hashStore.js'
import { bytesOfLength, corrupt, decode, encode, safeInteger, storeRecordType } from './records.js'
import type { Codec, StoreOp, StoreSnapshot } from './repository.js'
import { type Problem, ProblemLog } from './storeVerifier.js'

/**
 * The hash-chained log of administrative acts. Each record's `prev` is SHA-256 of the previous
 * record's stored bytes and the head (meta AUDIT_HEAD) commits to the last one, so editing,
 * removing, reordering or slipping in a record breaks a link that `verify` reports.
 *
 * What this cannot do: someone able to rewrite the whole store can rewrite the whole chain and its
 * head consistently. The head hash `hashmesh audit verify` prints is what an administrator records
 * somewhere else (a ticket, another machine); `--expect-head HASH` then shows whether the log that
 * hash committed to is still the one on disk.
 */

/** Details are a few fields (a hash, a publisher, a decision); 8 KiB leaves room and bounds the log. */
export const MAX_AUDIT_DETAILS_BYTES = 8 * 1024
/** As X-Hashmesh-Actor (src/api/actor.ts). */
export const MAX_AUDIT_ACTOR_CHARS = 128
/** Action names are short dotted words (see AuditAction). */
const MAX_AUDIT_ACTION_CHARS = 64
/** Records one list call returns. */
export const MAX_AUDIT_PAGE = 1000
export const DEFAULT_AUDIT_PAGE = 100
const HASH_BYTES = AUDIT_HASH_BYTES
/** The prev of record 1, and the head hash of an empty log. */
export const GENESIS_HASH = new Uint8Array(HASH_BYTES)

const SEQ_BYTES = 8
const TWO_POW_32 = 2 ** 32
const CONTROL = /[\x00-\x1f\x7f]/
/** The latest instant a Date holds; a record's at_ms may be any uint64 below 2^53. */
const MAX_DATE_MS = 8.64e15

/** Records of the log per native call during verify (a few hundred bytes each). */
const VERIFY_CHUNK = 500

const AuditHeadType = storeRecordType('AuditHead')

export type AuditErrorCode =
  /** The actor is empty, longer than MAX_AUDIT_ACTOR_CHARS or holds control characters. */
  | 'BAD_ACTOR'
  /** The action is empty, too long or holds control characters. */
  | 'BAD_ACTION'
  /** Details are not a JSON-serialisable object. */
  | 'BAD_DETAILS'
  | 'DETAILS_TOO_LARGE'
  /** A list call's afterSeq or limit is out of range. */
  | 'BAD_LIMIT'
  /** The head and the records disagree, so the next seq is unknown: refused rather than fork the log. */
  | 'LOG_DAMAGED'

export class AuditError extends HashmeshError<AuditErrorCode> {}

export type AuditProblemCode =
  /** A record or the head does not decode, or a key is malformed. */
  | 'AUDIT_RECORD_UNDECODABLE' | 'AUDIT_HEAD_UNDECODABLE'
  /** Seqs do not run 1, 2, 3, …: records were removed. */
  | 'AUDIT_SEQ_GAP'
  /** A record's own seq is not the one it is stored under: records were moved. */
  | 'AUDIT_SEQ_MISMATCH'
  /** A record's prev is not the hash of the record before it: that one was edited or replaced. */
  | 'AUDIT_LINK_BROKEN'
  /** Records exist but no head does. */
  | 'AUDIT_HEAD_MISSING'
  /** The head names another seq or hash than the last record: records removed from, or added to, the end. */
  | 'AUDIT_HEAD_MISMATCH'
  /** No record has the hash an administrator recorded earlier: the log it committed to was rewritten. */
  | 'AUDIT_HEAD_UNEXPECTED'

export interface AuditHeadJson {
  /** 0 for an empty log. */
  seq: number
  /** Hex SHA-256 of the last record's stored bytes; 64 zeros for an empty log. */
  hash: string
}

/** One record, JSON-shaped. */
export interface AuditRecordJson {
  seq: number
  /** ISO-8601, this node's clock. */
  at: string
  actor: string
  action: string
  details: Record<string, unknown>
  /** Hex SHA-256 of the stored record: the next record's prev. */
  hash: string
  prev: string
}

export interface AuditVerifyResult {
  records: number
  head: AuditHeadJson
  problems: Problem[]
  /** With `expectHead`: the seq of the record with that hash (0 for the empty log's), null when none has it. */
  expectedHeadSeq?: number | null
}

export interface AuditVerifyOptions {
  snapshot?: StoreSnapshot
  problems?: ProblemLog
  /**
   * A head hash recorded earlier. The log may have grown since, so it need not be the head now: it
   * must be the hash of some record. With the links intact from there on, that proves every record
   * up to it is the one the hash committed to.
   */
  expectHead?: Uint8Array
}

export interface AuditLogOptions {
  /** Milliseconds since the epoch; injectable for tests. */
  now?: () => number
}

export function auditRecordKey (seq: number): Uint8Array {
  const k = new Uint8Array(1 + SEQ_BYTES)
  k[0] = Bucket.auditLog
  const view = new DataView(k.buffer)
  view.setUint32(1, Math.floor(seq / TWO_POW_32))
  view.setUint32(5, seq >>> 0)
  return k
}

function parseAuditRecordKey (k: Uint8Array): number | undefined {
  if (k[0] !== Bucket.auditLog || k.length !== 1 + SEQ_BYTES) return undefined
  const view = new DataView(k.buffer, k.byteOffset, k.byteLength)
  return view.getUint32(1) * TWO_POW_32 + view.getUint32(5)
}

/** The audit-log bucket's key codec (storeRepositories.ts). */
export const AUDIT_RECORD_KEY: Codec<number> = {
  encode: auditRecordKey,
  decode: k => {
    const seq = parseAuditRecordKey(k)
    if (seq === undefined) throw corrupt('audit record key', `malformed key of ${k.length} bytes`)
    return seq
  }
}

function decodeAuditHead (bytes: Uint8Array): { seq: number, hash: Uint8Array } {
  const what = 'audit head'
  const raw = decode(AuditHeadType, bytes, what)
  return { seq: safeInteger(raw.seq, what, 'seq', 1), hash: bytesOfLength(raw.hash, HASH_BYTES, what, 'hash') }
}

function checkedText (text: string, max: number, code: 'BAD_ACTOR' | 'BAD_ACTION', what: string): string {
  if (typeof text !== 'string' || text.length === 0 || text.length > max || CONTROL.test(text)) {
    throw new AuditError(code, `${what} must be 1-${max} characters without control characters`)
  }
  return text
}

function detailsText (details: Record<string, unknown>): string {
  if (typeof details !== 'object' || details === null || Array.isArray(details)) throw new AuditError('BAD_DETAILS', 'details must be a JSON object')
  let text
  try {
    text = JSON.stringify(details)
  } catch (err) {
    throw new AuditError('BAD_DETAILS', `details are not JSON-serialisable: ${(err as Error).message}`)
  }
  const bytes = Buffer.byteLength(text)
  if (bytes > MAX_AUDIT_DETAILS_BYTES) throw new AuditError('DETAILS_TOO_LARGE', `details are ${bytes} bytes of JSON, at most ${MAX_AUDIT_DETAILS_BYTES}`)
  return text
}

function toJson (bytes: Uint8Array): AuditRecordJson {
  const r = decodeAuditRecord(bytes)
  return {
    seq: r.seq,
    at: new Date(Math.min(r.atMs, MAX_DATE_MS)).toISOString(),
    actor: r.actor,
    action: r.action,
    details: r.details,
    hash: toHex(sha256(bytes)),
    prev: toHex(r.prev)
  }
}

export class AuditLog implements AuditAppender {
  private readonly store: HashStore
  private readonly now: () => number

  constructor (store: HashStore, options: AuditLogOptions = {}) {
    this.store = store
    this.now = options.now ?? Date.now
  }

  /**
   * The writes appending one record: the record at head+1 and the new head. Only ever called under
   * the store's write queue (inside writeAtomically or an applyBatch ExtraOps), so the head read here
   * is the one the batch replaces. A log whose head and records disagree is refused (LOG_DAMAGED)
   * rather than overwritten: writing over a record would destroy the evidence verify reports.
   * One call per atomic write: a second call before the first is written reads the same head
   * (opsForAll writes several records in one).
   */
  async opsFor (entry: AuditEntryInput): Promise<StoreOp[]> {
    return await this.opsForAll([entry])
  }

  /**
   * Several records for one atomic write, each chained to the one before it (a publish and the
   * appeal it carries out, say): what two opsFor calls in one write cannot do.
   */
  async opsForAll (entries: readonly AuditEntryInput[]): Promise<StoreOp[]> {
    const checked = entries.map(entry => ({
      actor: checkedText(entry.actor, MAX_AUDIT_ACTOR_CHARS, 'BAD_ACTOR', 'actor'),
      action: checkedText(entry.action, MAX_AUDIT_ACTION_CHARS, 'BAD_ACTION', 'action'),
      details: detailsText(entry.details)
    }))
    if (checked.length === 0) return []
    const head = await this.readHead()
    const records = this.store.repositories.auditLog
    if (head.seq === 0 && !await records.isEmpty()) {
      throw new AuditError('LOG_DAMAGED', 'the audit log holds records but no head; run hashmesh audit verify')
    }
    if (await records.has(head.seq + 1)) {
      throw new AuditError('LOG_DAMAGED', `an audit record exists past the head (seq ${head.seq + 1}); run hashmesh audit verify`)
    }
    const ops: StoreOp[] = []
    let { seq, hash: prev } = head
    const atMs = this.now()
    for (const { actor, action, details } of checked) {
      seq++
      const bytes = encode(AuditRecordType, { seq, prev, atMs, actor, action, details })
      ops.push(records.putBinaryOp(seq, bytes))
      prev = sha256(bytes)
    }
    ops.push(this.store.repositories.meta.putBinaryOp(MetaKey.auditHead, encode(AuditHeadType, { seq, hash: prev })))
    return ops
  }

  /** An act with nothing else to write: the record alone, through the write queue. */
  async append (entry: AuditEntryInput): Promise<void> {
    await this.store.writeAtomically(async () => await this.opsFor(entry))
  }

  async head (): Promise<AuditHeadJson> {
    const h = await this.readHead()
    return { seq: h.seq, hash: toHex(h.hash) }
  }

  /** Records after `afterSeq` (default 0: from the first), at most `limit` (1 to MAX_AUDIT_PAGE). */
  async list (query: { afterSeq?: number, limit?: number } = {}): Promise<AuditRecordJson[]> {
    const afterSeq = query.afterSeq ?? 0
    const limit = query.limit ?? DEFAULT_AUDIT_PAGE
    if (!Number.isSafeInteger(afterSeq) || afterSeq < 0) throw new AuditError('BAD_LIMIT', 'afterSeq must be a non-negative integer')
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_AUDIT_PAGE) throw new AuditError('BAD_LIMIT', `limit must be 1-${MAX_AUDIT_PAGE}`)
    const records = this.store.repositories.auditLog
    const rows = await records.readRange({ range: { gte: auditRecordKey(afterSeq + 1), lt: records.range().lt }, limit, chunk: limit })
    return rows.map(([, v]) => toJson(v))
  }

  /**
   * The most recent record of one action, looking back over at most `scanLimit` records: how the
   * node tells at start whether its trust configuration changed since it last recorded it.
   */
  async latest (action: string, scanLimit = 10_000): Promise<AuditRecordJson | undefined> {
    for await (const rows of this.store.repositories.auditLog.entriesBinary({ reverse: true, limit: scanLimit, chunk: VERIFY_CHUNK })) {
      for (const [, v] of rows) {
        const record = toJson(v)
        if (record.action === action) return record
      }
    }
    return undefined
  }

  /**
   * Every record of one action, oldest first, read over `snapshot` when given. Records that do not
   * decode are skipped: verify reports them.
   */
  async recordsOf (action: AuditAction, options: { snapshot?: StoreSnapshot } = {}): Promise<AuditRecordJson[]> {
    const found: AuditRecordJson[] = []
    const snapshot = options.snapshot === undefined ? {} : { snapshot: options.snapshot }
    const scan = this.store.repositories.auditLog.entriesBinary({ chunk: VERIFY_CHUNK, ...snapshot })
    for await (const rows of scan) {
      for (const [, v] of rows) {
        let record
        try {
          record = toJson(v)
        } catch {
          continue
        }
        if (record.action === action) found.push(record)
      }
    }
    return found
  }

  /**
   * Walks the whole log once, in chunks: each record decodes, seqs run from 1 without a gap, each
   * prev is the hash of the record before, and the head names the last record. Every way of
   * editing, removing, reordering or appending a record without re-signing the head breaks one of
   * these. Returns the head as stored, for the administrator to keep.
   */
  async verify (options: AuditVerifyOptions = {}): Promise<AuditVerifyResult> {
    const own = options.snapshot === undefined ? this.store.snapshot() : undefined
    const snapshot = options.snapshot ?? own!
    const log = options.problems ?? new ProblemLog()
    const add = (code: AuditProblemCode, message: string, seq?: number): void => {
      log.add({ check: 'audit', code, message, ...(seq === undefined ? {} : { seq }) })
    }
    try {
      let records = 0
      let expected = 1
      // Hash of the previous stored record; undefined after a gap, where the link cannot be checked.
      let prevHash: Uint8Array | undefined = GENESIS_HASH
      let lastRecord: { seq: number, hash: Uint8Array } | undefined
      const expect = options.expectHead
      let expectedHeadSeq: number | null = expect !== undefined && Buffer.compare(expect, GENESIS_HASH) === 0 ? 0 : null
      for await (const [k, v] of this.store.repositories.auditLog.recordsBinary({ snapshot, chunk: VERIFY_CHUNK })) {
        records++
        const keySeq = parseAuditRecordKey(k)
        if (keySeq === undefined) {
          add('AUDIT_RECORD_UNDECODABLE', `malformed audit key of ${k.length} bytes`)
          prevHash = undefined
          continue
        }
        if (keySeq !== expected) {
          add('AUDIT_SEQ_GAP', `records ${expected} to ${keySeq - 1} are missing`, expected)
          prevHash = undefined
        }
        try {
          const r = decodeAuditRecord(v)
          if (r.seq !== keySeq) add('AUDIT_SEQ_MISMATCH', `record stored as seq ${keySeq} says it is seq ${r.seq}`, keySeq)
          if (prevHash !== undefined && Buffer.compare(r.prev, prevHash) !== 0) {
            const why = keySeq === 1 ? 'the first record\'s prev is not zero' : `prev is not the hash of record ${keySeq - 1}: that record was changed`
            add('AUDIT_LINK_BROKEN', why, keySeq)
          }
        } catch (err) {
          add('AUDIT_RECORD_UNDECODABLE', (err as Error).message, keySeq)
        }
        prevHash = sha256(v)
        if (expect !== undefined && expectedHeadSeq === null && Buffer.compare(prevHash, expect) === 0) expectedHeadSeq = keySeq
        expected = keySeq + 1
        lastRecord = { seq: keySeq, hash: prevHash }
      }
      const head = await this.checkHead(snapshot, lastRecord, add)
      if (expect === undefined) return { records, head, problems: log.problems }
      if (expectedHeadSeq === null) {
        add('AUDIT_HEAD_UNEXPECTED', `no audit record has the expected hash ${toHex(expect)}: the log it committed to was rewritten`)
      }
      return { records, head, problems: log.problems, expectedHeadSeq }
    } finally {
      await own?.close()
    }
  }

  private async checkHead (
    snapshot: StoreSnapshot,
    last: { seq: number, hash: Uint8Array } | undefined,
    add: (code: AuditProblemCode, message: string, seq?: number) => void
  ): Promise<AuditHeadJson> {
    const stored = await this.store.repositories.meta.get(MetaKey.auditHead, { snapshot })
    if (stored === undefined) {
      if (last !== undefined) add('AUDIT_HEAD_MISSING', `no audit head; the log runs to seq ${last.seq}`)
      return { seq: 0, hash: toHex(GENESIS_HASH) }
    }
    let head
    try {
      head = decodeAuditHead(stored)
    } catch (err) {
      add('AUDIT_HEAD_UNDECODABLE', (err as Error).message)
      return { seq: 0, hash: toHex(GENESIS_HASH) }
    }
    if (last === undefined) add('AUDIT_HEAD_MISMATCH', `the head names seq ${head.seq} but the log is empty`, head.seq)
    else if (head.seq !== last.seq) add('AUDIT_HEAD_MISMATCH', `the head names seq ${head.seq}, the last record is ${last.seq}`, head.seq)
    else if (Buffer.compare(head.hash, last.hash) !== 0) {
      add('AUDIT_HEAD_MISMATCH', `the head's hash is not that of record ${last.seq}: it was changed`, head.seq)
    }
    return { seq: head.seq, hash: toHex(head.hash) }
  }

  private async readHead (): Promise<{ seq: number, hash: Uint8Array }> {
    const stored = await this.store.repositories.meta.get(MetaKey.auditHead)
    if (stored === undefined) return { seq: 0, hash: GENESIS_HASH }
    try {
      return decodeAuditHead(stored)
    } catch (err) {
      throw new AuditError('LOG_DAMAGED', 'the audit head does not decode; run hashmesh audit verify', { cause: err })
    }
  }
}
