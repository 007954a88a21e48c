import { verify } from '../crypto/ed25519.js'
import { toHex } from '../signals/hex.js'
import { requireSignalType } from '../signals/registry.js'
import { decodeSignedBatch } from '../wire/batchCodec.js'
import { decodeEquivocationProof } from '../wire/equivocationCodec.js'
import { BATCH_ID_BYTES } from '../wire/limits.js'
import type { DecodedBatch } from '../wire/types.js'
import { BATCH_CHUNK, RECORD_CHUNK, type StoreSnapshot } from './batchScan.js'
import { Bucket } from './buckets.js'
import type { HashStore } from './hashStore.js'
import { type BatchPlace, parseBatchAtKey, parseEntryKey, parsePublisherKey, parseSignedBatchKey } from './keys.js'
import { type IndexRow, decodeBatchLocation, decodeEquivocationRecord, decodeHead, decodeIndexRow, decodeStoredBatch, encodeStoredBatch } from './records.js'
import type { StoreRepositories } from './storeRepositories.js'
import { type HashRowsProblemCode, hashRowsProblems } from './hashRowsCheck.js'

/**
 * The offline integrity check of everything a store derives from signed data: each batch still
 * decodes and verifies, the chains link, the heads, ids and the entry index say exactly what the
 * batches imply, nothing more and nothing less. It reads one snapshot, so it may run beside a node
 * that keeps writing, and it streams every bucket in chunks: memory stays flat however large the
 * store. It finds damage and edits that do not re-sign; someone holding a publisher's key (or
 * rewriting the whole store consistently) is outside what a store can prove about itself.
 */

/** Which part of the store a problem is in. */
export type ProblemCheck = 'batch' | 'chain' | 'head' | 'index' | 'equivocation' | 'forum' | 'allowlist' | 'audit'

export type StoreProblemCode =
  /** A signed-batch, batchAt, batchId, head, entry-index or equivocation key of the wrong shape. */
  | 'KEY_MALFORMED'
  /** The StoredBatch or the SignedBatch in it does not decode. */
  | 'BATCH_UNDECODABLE'
  /**
   * The StoredBatch envelope is not the encoding this node writes (protobufjs reads some edited
   * bytes, such as a changed wire type, as the same message): edited outside hashmesh.
   */
  | 'BATCH_NOT_CANONICAL'
  /** The batch decodes but its publisher's signature does not verify. */
  | 'BAD_SIGNATURE'
  /** The batch body names another publisher or seq than the key it is stored under. */
  | 'BATCH_KEY_MISMATCH'
  /** A stored batch has no batchAt record, or one naming another id. */
  | 'BATCH_AT_MISSING' | 'BATCH_AT_MISMATCH'
  /** A batchAt record names a seq where no batch is stored: the batch was deleted. */
  | 'BATCH_AT_ORPHAN'
  /** A stored batch has no batchId record, or one pointing elsewhere. */
  | 'BATCH_ID_MISSING' | 'BATCH_ID_MISMATCH'
  /** A batchId record that does not decode, or names a place whose batchAt holds another id. */
  | 'BATCH_ID_UNDECODABLE' | 'BATCH_ID_ORPHAN'
  /** A publisher's stored seqs do not run 1, 2, 3, … */
  | 'CHAIN_GAP'
  /** A batch's prev is not the id of the publisher's batch before it. */
  | 'PREV_MISMATCH'
  | 'HEAD_MISSING' | 'HEAD_UNDECODABLE'
  /** The head's seq, head id, batch or entry count disagrees with the stored batches. */
  | 'HEAD_MISMATCH'
  /** A head for a publisher with no stored batch. */
  | 'HEAD_WITHOUT_BATCHES'
  /** Rows a batch implies that are absent, do not decode, or say something else. */
  | 'INDEX_ROW_MISSING' | 'INDEX_ROW_UNDECODABLE' | 'INDEX_ROW_MISMATCH'
  /** The index holds more rows than the stored batches have entries. */
  | 'INDEX_EXTRA_ROWS'
  /** One such extra row, found because it names a batch that is not stored at its publisher and seq. */
  | 'INDEX_ROW_ORPHAN'
  /** An equivocation record, or its proof, does not decode or does not prove a fork of its publisher. */
  | 'EQUIVOCATION_UNDECODABLE' | 'EQUIVOCATION_PROOF_INVALID'
  /** A hash's HashRows record (what lookups answer from) is missing, differs from its index rows, or has no rows. */
  | HashRowsProblemCode

export interface Problem<C extends string = string> {
  check: ProblemCheck
  code: C
  message: string
  /** Hex. */
  publisher?: string
  seq?: number
  /** The first entry position concerned, for index problems (counts are in the message). */
  position?: number
  /** Hex of the store key, where no publisher and seq name the record. */
  key?: string
}

/** Enough to act on; past it a store is broadly damaged and the rest is only counted. */
export const MAX_STORED_PROBLEMS = 1000

/** Collects problems from several checks, keeping the first MAX_STORED_PROBLEMS and counting the rest. */
export class ProblemLog {
  readonly problems: Problem[] = []
  omitted = 0
  private readonly max: number

  constructor (max = MAX_STORED_PROBLEMS) {
    this.max = max
  }

  add (problem: Problem): void {
    if (this.problems.length < this.max) this.problems.push(problem)
    else this.omitted++
  }

  get total (): number {
    return this.problems.length + this.omitted
  }
}

export interface StoreChecked {
  batches: number
  /** Signatures verified (0 when verification is switched off). */
  signatures: number
  /** Entries in the batches that decoded: the index rows they imply. */
  entries: number
  indexRows: number
  publishers: number
  heads: number
  batchAt: number
  batchIds: number
  equivocations: number
}

export interface VerifyStoreOptions {
  /** Reads go to this snapshot; without one the check takes (and releases) its own. */
  snapshot?: StoreSnapshot
  /** Problems go here (shared with other checks); a fresh log otherwise. */
  problems?: ProblemLog
}

export interface StoreVerifyResult {
  checked: StoreChecked
  problems: Problem[]
  /** Problems past MAX_STORED_PROBLEMS, counted only. */
  problemsOmitted: number
}

export async function verifyStore (store: HashStore, options: VerifyStoreOptions = {}): Promise<StoreVerifyResult> {
  const own = options.snapshot === undefined ? store.snapshot() : undefined
  const log = options.problems ?? new ProblemLog()
  try {
    const run = new StoreVerification(store, options.snapshot ?? own!, log)
    await run.batches()
    await run.batchAtRecords()
    await run.batchIdRecords()
    await run.headRecords()
    await run.indexRows()
    await run.hashRowsRecords()
    await run.equivocationRecords()
    return { checked: run.checked, problems: log.problems, problemsOmitted: log.omitted }
  } finally {
    await own?.close()
  }
}

/** One publisher's batches as the scan has met them so far. */
interface Chain {
  publisher: Uint8Array
  hex: string
  /** The seq the next batch must have for the chain to stay contiguous. */
  nextSeq: number
  /** The highest seq of the contiguous run from 1, and its id (undefined when that batch was unreadable). */
  contiguousTo: number
  idAtContiguous: Uint8Array | undefined
  /** Id of the batch just before, for the next prev check; undefined when unknown. */
  lastId: Uint8Array | undefined
  gap: boolean
  batches: number
  entries: number
  /** A batch did not decode, so the entry count is a lower bound. */
  entriesUnknown: boolean
}

/** Where a problem was found, as far as the check knows. */
interface ProblemAt {
  publisher?: string
  seq?: number
  position?: number
  key?: Uint8Array
}

function bytesEqual (a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.compare(a, b) === 0
}

function labelsEqual (a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((l, i) => l === b[i])
}

/** The fields of a stored row that differ from what the batch implies. */
function rowDifferences (stored: IndexRow, expected: IndexRow): string[] {
  const diffs: string[] = []
  if (stored.action !== expected.action) diffs.push('action')
  if (!labelsEqual(stored.labels, expected.labels)) diffs.push('labels')
  if (!bytesEqual(stored.batchId, expected.batchId)) diffs.push('batch_id')
  if (stored.createdAtMs !== expected.createdAtMs) diffs.push('created_at_ms')
  if (stored.receivedAtMs !== expected.receivedAtMs) diffs.push('received_at_ms')
  if ((stored.reason ?? '') !== (expected.reason ?? '')) diffs.push('reason')
  return diffs
}

class StoreVerification {
  readonly checked: StoreChecked = { batches: 0, signatures: 0, entries: 0, indexRows: 0, publishers: 0, heads: 0, batchAt: 0, batchIds: 0, equivocations: 0 }
  private readonly repos: StoreRepositories
  private readonly snapshot: StoreSnapshot
  private readonly log: ProblemLog
  /** Publishers with at least one stored batch (a forum has tens to thousands: small). */
  private readonly publishers = new Set<string>()
  private chain: Chain | undefined
  /** The entry index is damaged: the HashRows derived from it are then not compared with it. */
  private indexDamaged = false

  constructor (store: HashStore, snapshot: StoreSnapshot, log: ProblemLog) {
    this.repos = store.repositories
    this.snapshot = snapshot
    this.log = log
  }

  private add (check: ProblemCheck, code: StoreProblemCode, message: string, at: ProblemAt = {}): void {
    const { key, ...rest } = at
    if (check === 'index') this.indexDamaged = true
    this.log.add({ check, code, message, ...rest, ...(key === undefined ? {} : { key: toHex(key) }) })
  }

  private get read (): { snapshot: StoreSnapshot } {
    return { snapshot: this.snapshot }
  }

  /**
   * Pass 1: every stored batch, in publisher then seq order, and everything it implies. A batch's
   * reads (its batchAt, batchId and up to 10,000 index rows) run on libuv's threads while the next
   * batch is decoded and its signature verified here: one batch of reads in flight at a time.
   */
  async batches (): Promise<void> {
    let reads: Promise<unknown> = Promise.resolve()
    for await (const [k, v] of this.repos.signedBatch.recordsBinary({ ...this.read, chunk: BATCH_CHUNK })) {
      this.checked.batches++
      let at
      try {
        at = parseSignedBatchKey(k)
      } catch {
        this.add('batch', 'KEY_MALFORMED', `signed-batch key of ${k.length} bytes`, { key: k })
        continue
      }
      const publisher = Uint8Array.from(at.publisher)
      const chain = await this.chainFor(publisher)
      const batch = this.decodeBatch(v, chain.hex, at.seq)
      this.extendChain(chain, at.seq, batch?.batch)
      if (batch === undefined) continue
      this.checkSignatureAndKey(batch.batch, chain.hex, at.seq)
      const previous = reads
      reads = Promise.all([this.checkLocation(batch.batch, publisher, at.seq, chain.hex), this.checkIndex(batch.batch, batch.receivedAtMs, chain.hex, at.seq)])
      // Awaited below or at the end; marked handled so a failure while the previous one is awaited is not unhandled.
      reads.catch(() => undefined)
      await previous
    }
    await reads
    if (this.chain !== undefined) await this.checkHead(this.chain)
  }

  private async chainFor (publisher: Uint8Array): Promise<Chain> {
    if (this.chain !== undefined && bytesEqual(this.chain.publisher, publisher)) return this.chain
    if (this.chain !== undefined) await this.checkHead(this.chain)
    const hex = toHex(publisher)
    this.publishers.add(hex)
    this.checked.publishers++
    this.chain = {
      publisher,
      hex,
      nextSeq: 1,
      contiguousTo: 0,
      idAtContiguous: undefined,
      lastId: undefined,
      gap: false,
      batches: 0,
      entries: 0,
      entriesUnknown: false
    }
    return this.chain
  }

  private decodeBatch (value: Uint8Array, publisher: string, seq: number): { batch: DecodedBatch, receivedAtMs: number } | undefined {
    try {
      const stored = decodeStoredBatch(value)
      const batch = decodeSignedBatch(stored.signed)
      if (!bytesEqual(encodeStoredBatch(stored), value)) {
        this.add('batch', 'BATCH_NOT_CANONICAL', 'the stored record is not the encoding this node writes', { publisher, seq })
      }
      return { batch, receivedAtMs: stored.receivedAtMs }
    } catch (err) {
      this.add('batch', 'BATCH_UNDECODABLE', `stored batch does not decode: ${(err as Error).message}`, { publisher, seq })
      return undefined
    }
  }

  private extendChain (chain: Chain, seq: number, batch: DecodedBatch | undefined): void {
    chain.batches++
    if (batch === undefined) chain.entriesUnknown = true
    else chain.entries += batch.body.entries.length
    if (seq !== chain.nextSeq) {
      const why = seq > chain.nextSeq ? `seqs ${chain.nextSeq} to ${seq - 1} are missing` : `seq ${seq} follows ${chain.nextSeq - 1}`
      this.add('chain', 'CHAIN_GAP', why, { publisher: chain.hex, seq: chain.nextSeq })
      chain.gap = true
    } else if (batch !== undefined && seq > 1 && chain.lastId !== undefined && !bytesEqual(batch.body.prev, chain.lastId)) {
      this.add('chain', 'PREV_MISMATCH', `prev is not the id of batch ${seq - 1}`, { publisher: chain.hex, seq })
    }
    if (!chain.gap) {
      chain.contiguousTo = seq
      chain.idAtContiguous = batch?.id
    }
    chain.nextSeq = seq + 1
    chain.lastId = batch?.id
  }

  private checkSignatureAndKey (batch: DecodedBatch, publisher: string, seq: number): void {
    const { body } = batch
    if (toHex(body.publisher) !== publisher || body.seq !== seq) {
      const message = `stored under seq ${seq} of ${publisher} but signed as seq ${body.seq} of ${toHex(body.publisher)}`
      this.add('batch', 'BATCH_KEY_MISMATCH', message, { publisher, seq })
    }
    this.checked.signatures++
    if (!verify(batch.signature, batch.bodyBytes, body.publisher)) {
      this.add('batch', 'BAD_SIGNATURE', 'the publisher\'s signature does not verify', { publisher, seq })
    }
  }

  private async checkLocation (batch: DecodedBatch, publisher: Uint8Array, seq: number, hex: string): Promise<void> {
    const [idAt, location] = await Promise.all([this.repos.batchAt.getBinary({ publisher, seq }, this.read), this.repos.batchId.getBinary(batch.id, this.read)])
    if (idAt === undefined) this.add('batch', 'BATCH_AT_MISSING', 'no batchAt record for a stored batch', { publisher: hex, seq })
    else if (!bytesEqual(idAt, batch.id)) {
      this.add('batch', 'BATCH_AT_MISMATCH', `batchAt names ${toHex(idAt)}, the batch is ${toHex(batch.id)}`, { publisher: hex, seq })
    }
    if (location === undefined) {
      this.add('batch', 'BATCH_ID_MISSING', `no batchId record for ${toHex(batch.id)}`, { publisher: hex, seq })
      return
    }
    try {
      const l = decodeBatchLocation(location)
      if (!bytesEqual(l.publisher, publisher) || l.seq !== seq) {
        this.add('batch', 'BATCH_ID_MISMATCH', `batchId record points to seq ${l.seq} of ${toHex(l.publisher)}`, { publisher: hex, seq })
      }
    } catch (err) {
      this.add('batch', 'BATCH_ID_UNDECODABLE', (err as Error).message, { publisher: hex, seq })
    }
  }

  /** The rows the batch implies, read with one getMany; problems are summed per batch and kind. */
  private async checkIndex (batch: DecodedBatch, receivedAtMs: number, publisherHex: string, seq: number): Promise<void> {
    // Keyed as the store writes them: by the signed body's publisher and seq.
    const { publisher, createdAtMs, entries } = batch.body
    this.checked.entries += entries.length
    const signedSeq = batch.body.seq
    const keys = entries.map((e, position) => ({ signalTypeCode: requireSignalType(e.signalType).code, value: e.value, publisher, seq: signedSeq, position }))
    const stored = await this.repos.entryIndex.getManyBinary(keys, this.read)
    const found: Record<'INDEX_ROW_MISSING' | 'INDEX_ROW_UNDECODABLE' | 'INDEX_ROW_MISMATCH', { count: number, first: number, fields: Set<string> }> = {
      INDEX_ROW_MISSING: { count: 0, first: -1, fields: new Set() },
      INDEX_ROW_UNDECODABLE: { count: 0, first: -1, fields: new Set() },
      INDEX_ROW_MISMATCH: { count: 0, first: -1, fields: new Set() }
    }
    const note = (code: keyof typeof found, position: number, fields: string[] = []): void => {
      const f = found[code]
      if (f.count++ === 0) f.first = position
      for (const field of fields) f.fields.add(field)
    }
    stored.forEach((value, position) => {
      if (value === undefined) return note('INDEX_ROW_MISSING', position)
      let row
      try {
        row = decodeIndexRow(value)
      } catch {
        return note('INDEX_ROW_UNDECODABLE', position)
      }
      const e = entries[position]!
      const expected: IndexRow = {
        action: e.action,
        labels: e.labels,
        batchId: batch.id,
        receivedAtMs,
        createdAtMs,
        ...(e.reason === undefined ? {} : { reason: e.reason })
      }
      const diffs = rowDifferences(row, expected)
      if (diffs.length > 0) note('INDEX_ROW_MISMATCH', position, diffs)
    })
    for (const [code, f] of Object.entries(found) as Array<[keyof typeof found, typeof found[keyof typeof found]]>) {
      if (f.count === 0) continue
      const what = code === 'INDEX_ROW_MISSING' ? 'missing' : code === 'INDEX_ROW_UNDECODABLE' ? 'do not decode' : `differ (${[...f.fields].join(', ')})`
      const message = `${f.count} of ${entries.length} index rows of this batch ${what}, first at position ${f.first}`
      this.add('index', code, message, { publisher: publisherHex, seq, position: f.first })
    }
  }

  private async checkHead (chain: Chain): Promise<void> {
    if (chain.contiguousTo === 0) return
    const stored = await this.repos.head.getBinary(chain.publisher, this.read)
    if (stored === undefined) {
      this.add('head', 'HEAD_MISSING', `no head; the chain runs to seq ${chain.contiguousTo}`, { publisher: chain.hex })
      return
    }
    let head
    try {
      head = decodeHead(stored)
    } catch (err) {
      this.add('head', 'HEAD_UNDECODABLE', (err as Error).message, { publisher: chain.hex })
      return
    }
    const diffs: string[] = []
    if (head.seq !== chain.contiguousTo) diffs.push(`seq ${head.seq}, batches run to ${chain.contiguousTo}`)
    if (chain.idAtContiguous !== undefined && !bytesEqual(head.headId, chain.idAtContiguous)) {
      diffs.push(`head id ${toHex(head.headId)}, batch ${chain.contiguousTo} is ${toHex(chain.idAtContiguous)}`)
    }
    if (head.batches !== chain.batches) diffs.push(`${head.batches} batches counted, ${chain.batches} stored`)
    if (!chain.entriesUnknown && head.entries !== chain.entries) diffs.push(`${head.entries} entries counted, ${chain.entries} stored`)
    if (diffs.length > 0) this.add('head', 'HEAD_MISMATCH', diffs.join('; '), { publisher: chain.hex, seq: head.seq })
  }

  /** Pass 2: every batchAt record has its batch; a batch deleted on its own shows up here. */
  async batchAtRecords (): Promise<void> {
    for await (const rows of this.repos.batchAt.entriesBinary({ ...this.read, chunk: RECORD_CHUNK })) {
      const places: BatchPlace[] = []
      for (const [k, v] of rows) {
        this.checked.batchAt++
        try {
          places.push(parseBatchAtKey(k))
        } catch {
          this.add('batch', 'KEY_MALFORMED', `batchAt key of ${k.length} bytes`, { key: k })
          continue
        }
        if (v.length !== BATCH_ID_BYTES) {
          this.add('batch', 'BATCH_AT_MISMATCH', `batchAt value is ${v.length} bytes`, { publisher: toHex(places.at(-1)!.publisher), seq: places.at(-1)!.seq })
        }
      }
      const present = await this.repos.signedBatch.hasMany(places, this.read)
      places.forEach((p, i) => {
        if (present[i] !== true) {
          const at = { publisher: toHex(p.publisher), seq: p.seq }
          this.add('batch', 'BATCH_AT_ORPHAN', 'a batchAt record names a seq where no batch is stored (deleted?)', at)
        }
      })
    }
  }

  /** Pass 3: every batchId record points at a place whose batchAt holds that id. */
  async batchIdRecords (): Promise<void> {
    for await (const rows of this.repos.batchId.entriesBinary({ ...this.read, chunk: RECORD_CHUNK })) {
      const claims: Array<{ id: Uint8Array, publisher: Uint8Array, seq: number }> = []
      for (const [k, v] of rows) {
        this.checked.batchIds++
        if (k.length !== 1 + BATCH_ID_BYTES) {
          this.add('batch', 'KEY_MALFORMED', `batchId key of ${k.length} bytes`, { key: k })
          continue
        }
        try {
          claims.push({ id: k.subarray(1), ...decodeBatchLocation(v) })
        } catch (err) {
          this.add('batch', 'BATCH_ID_UNDECODABLE', (err as Error).message, { key: k })
        }
      }
      const ids = await this.repos.batchAt.getManyBinary(claims, this.read)
      claims.forEach((c, i) => {
        const idAt = ids[i]
        if (idAt === undefined || !bytesEqual(idAt, c.id)) {
          const held = idAt === undefined ? 'no batch' : toHex(idAt)
          const at = { publisher: toHex(c.publisher), seq: c.seq }
          this.add('batch', 'BATCH_ID_ORPHAN', `batchId ${toHex(c.id)} points to seq ${c.seq}, which holds ${held}`, at)
        }
      })
    }
  }

  /** Pass 4: no head without batches (heads of publishers with batches were checked in pass 1). */
  async headRecords (): Promise<void> {
    for await (const [k] of this.repos.head.recordsBinary(this.read)) {
      this.checked.heads++
      let publisher
      try {
        publisher = toHex(parsePublisherKey(Bucket.head, k))
      } catch {
        this.add('head', 'KEY_MALFORMED', `head key of ${k.length} bytes`, { key: k })
        continue
      }
      if (!this.publishers.has(publisher)) this.add('head', 'HEAD_WITHOUT_BATCHES', 'a head for a publisher with no stored batch', { publisher })
    }
  }

  /**
   * Pass 5: pass 1 found every row the batches imply; here the index must hold no others. Its keys
   * are counted (no values read). Only when there are extra rows is the index read again to name
   * those that point at a batch that is not stored where they say.
   */
  async indexRows (): Promise<void> {
    let malformed = 0
    let firstMalformed: Uint8Array | undefined
    for await (const keys of this.repos.entryIndex.keysBinary(this.read)) {
      this.checked.indexRows += keys.length
      for (const k of keys) {
        try {
          parseEntryKey(k)
        } catch {
          if (malformed++ === 0) firstMalformed = k
        }
      }
    }
    if (firstMalformed !== undefined) {
      this.add('index', 'KEY_MALFORMED', `${malformed} entry-index keys are malformed, the first of ${firstMalformed.length} bytes`, { key: firstMalformed })
    }
    const extra = this.checked.indexRows - this.checked.entries
    if (extra <= 0) return
    this.add('index', 'INDEX_EXTRA_ROWS', `${this.checked.indexRows} index rows for ${this.checked.entries} stored entries: ${extra} rows no batch implies`)
    await this.nameOrphanRows()
  }

  private async nameOrphanRows (): Promise<void> {
    for await (const rows of this.repos.entryIndex.entriesBinary({ ...this.read, chunk: RECORD_CHUNK })) {
      const claims: Array<{ key: Uint8Array, publisher: Uint8Array, seq: number, batchId: Uint8Array | undefined }> = []
      for (const [k, v] of rows) {
        try {
          const { publisher, seq } = parseEntryKey(k)
          let batchId
          try {
            batchId = decodeIndexRow(v).batchId
          } catch {}
          claims.push({ key: k, publisher, seq, batchId })
        } catch {}
      }
      const ids = await this.repos.batchAt.getManyBinary(claims, this.read)
      claims.forEach((c, i) => {
        const idAt = ids[i]
        if (idAt !== undefined && c.batchId !== undefined && bytesEqual(idAt, c.batchId)) return
        const named = c.batchId === undefined ? 'no readable batch' : `batch ${toHex(c.batchId)}`
        const held = idAt === undefined ? 'none' : toHex(idAt)
        this.add('index', 'INDEX_ROW_ORPHAN', `index row names ${named}, seq ${c.seq} holds ${held}`, { publisher: toHex(c.publisher), seq: c.seq, key: c.key })
      })
    }
  }

  /**
   * Pass 6: the HashRows records say what the index rows imply, no more and no less. Only over a
   * sound index: a damaged one is reported already, and every record it touches would differ too.
   */
  async hashRowsRecords (): Promise<void> {
    if (this.indexDamaged) return
    for await (const p of hashRowsProblems(this.repos, this.read)) this.add('index', p.code, p.message, { key: p.key })
  }

  /** Pass 7: each equivocation record decodes and its proof shows two batches of its publisher. */
  async equivocationRecords (): Promise<void> {
    for await (const [k, v] of this.repos.equivocation.recordsBinary(this.read)) {
      this.checked.equivocations++
      let publisher
      try {
        publisher = parsePublisherKey(Bucket.equivocation, k)
      } catch {
        this.add('equivocation', 'KEY_MALFORMED', `equivocation key of ${k.length} bytes`, { key: k })
        continue
      }
      const hex = toHex(publisher)
      let proof
      try {
        proof = decodeEquivocationProof(decodeEquivocationRecord(v).proof)
      } catch (err) {
        this.add('equivocation', 'EQUIVOCATION_UNDECODABLE', (err as Error).message, { publisher: hex })
        continue
      }
      const why = proofFlaw(proof.a, proof.b, publisher)
      if (why !== undefined) this.add('equivocation', 'EQUIVOCATION_PROOF_INVALID', why, { publisher: hex })
    }
  }
}

/** Why a proof does not show the publisher signing two batches, or undefined when it does. */
function proofFlaw (a: DecodedBatch, b: DecodedBatch, publisher: Uint8Array): string | undefined {
  if (!bytesEqual(a.body.publisher, publisher) || !bytesEqual(b.body.publisher, publisher)) return 'a proof batch is by another publisher'
  if (bytesEqual(a.id, b.id)) return 'the two proof batches are the same batch'
  if (!(verify(a.signature, a.bodyBytes, publisher) && verify(b.signature, b.bodyBytes, publisher))) return 'a proof batch\'s signature does not verify'
  return undefined
}
