import { sha256 } from '@noble/hashes/sha2.js'
import { sign } from '../crypto/ed25519.js'
import type { HashRef } from '../events/hashmeshEvent.js'
import type { MatchLogView, MatchRecord } from '../matches/matchRecord.js'
import { parseSignalValue, toHex } from '../signals/hex.js'
import type { AuditEntryInput } from '../store/auditEntry.js'
import type { AuditHeadJson } from '../store/auditLog.js'
import { decodeAuditRecord } from '../store/auditRecord.js'
import type { HashStore } from '../store/hashStore.js'
import { decodeSignedForumRecord } from '../wire/forumCodec.js'
import { ACTION_NAMES } from '../wire/types.js'
import { auditTermsOf, concerns } from './auditTerms.js'
import { canonicalText, signedMessage } from './canonicalJson.js'
import {
  EVIDENCE_FORMAT, type EvidenceAuditRecord, type EvidenceBatch, type EvidenceBody, type EvidenceEntry, type EvidenceForumRecord,
  MAX_CONTENT_ID_CHARS, MAX_EVIDENCE_AUDIT_RECORDS, MAX_EVIDENCE_BATCHES, MAX_EVIDENCE_BATCH_BYTES, MAX_EVIDENCE_FILE_BYTES, MAX_EVIDENCE_HASHES
} from './evidenceBundle.js'
import { EvidenceError } from './evidenceError.js'

/** A bundle about a content id's latest match record, or about one stored hash. */
export type EvidenceQuery = { contentId: string } | { type: string, value: string }

export interface EvidenceComponents {
  store: HashStore
  /** Forum roots (hex) and the exact signed bytes of every record held. */
  forum: { rootKeys: () => string[], signedRecords: () => Uint8Array[] }
  auditLog: { head: () => Promise<AuditHeadJson>, append: (entry: AuditEntryInput) => Promise<void> }
  /** Absent on a node built without a match log: then only TYPE VALUE bundles can be made. */
  matchLog?: MatchLogView
  key: { publicKey: Uint8Array, secretKey: Uint8Array }
  network: string
  now?: () => number
}

/** How much one bundle may hold; the defaults are evidenceBundle.ts's bounds, which the verifier also applies. */
export interface EvidenceOptions {
  maxBatches: number
  maxBatchBytes: number
  maxAuditRecords: number
}

export const defaultEvidenceOptions: EvidenceOptions = {
  maxBatches: MAX_EVIDENCE_BATCHES,
  maxBatchBytes: MAX_EVIDENCE_BATCH_BYTES,
  maxAuditRecords: MAX_EVIDENCE_AUDIT_RECORDS
}

/** Hash values an export's audit record names: 64 PDQ values are about half of the 8 KiB details bound. */
const MAX_AUDITED_HASHES = 64

/** Audit records read per native call while scanning the log. */
const AUDIT_SCAN_CHUNK = 500

const byText = (a: string, b: string): number => a < b ? -1 : a > b ? 1 : 0

function tooLarge (what: string): EvidenceError {
  return new EvidenceError('EVIDENCE_TOO_LARGE', `${what}; narrow the bundle (one content id or one hash) or raise the limit in evidenceBundle.ts`)
}

/**
 * Gathers a bundle from the store as it is: the batches, forum records and audit records about the
 * subject's hashes, and signs it with the node's publisher key. Never content bytes: the node holds
 * none, only hashes.
 */
export class EvidenceBuilder {
  private readonly c: EvidenceComponents
  private readonly now: () => number
  private readonly limits: EvidenceOptions

  /** Options above the defaults are refused: the verifier would refuse such a bundle. */
  constructor (components: EvidenceComponents, options: Partial<EvidenceOptions> = {}) {
    this.c = components
    this.now = components.now ?? Date.now
    const d = defaultEvidenceOptions
    this.limits = {
      maxBatches: Math.min(options.maxBatches ?? d.maxBatches, d.maxBatches),
      maxBatchBytes: Math.min(options.maxBatchBytes ?? d.maxBatchBytes, d.maxBatchBytes),
      maxAuditRecords: Math.min(options.maxAuditRecords ?? d.maxAuditRecords, d.maxAuditRecords)
    }
  }

  /**
   * The bundle's file content: canonical JSON, signed. Making one is an audited act: who asked, about
   * what, and the SHA-256 of the file, so the node's log shows later that it made exactly this file.
   * The record comes after the head the bundle names, and so is in the next bundle about the subject.
   */
  async build (query: EvidenceQuery, actor = 'admin'): Promise<string> {
    const { text, subject } = await this.signedBundle(query)
    const hashes = subject.hashes.map(h => h.value)
    const details = {
      ...subject,
      // Within the audit log's 8 KiB of details: a bundle about more hashes names the first ones and their count.
      hashes: hashes.slice(0, MAX_AUDITED_HASHES),
      hashCount: hashes.length,
      bundle: toHex(sha256(Buffer.from(text, 'utf8')))
    }
    await this.c.auditLog.append({ actor, action: 'evidence.export', details })
    return text
  }

  private async signedBundle (query: EvidenceQuery): Promise<{ text: string, subject: EvidenceBody['subject'] }> {
    const { match, hashes, contentId } = await this.subject(query)
    const batches = await this.batches(hashes)
    const terms = auditTermsOf({
      hashes,
      batchIds: batches.map(b => b.id),
      ...(contentId === undefined ? {} : { contentId }),
      ...(match === undefined ? {} : { matchId: match.id })
    })
    const audit = await this.audit(terms)
    if (match === undefined && batches.length === 0 && audit.records.length === 0) {
      throw new EvidenceError('NO_EVIDENCE', `this node holds nothing about ${hashes.map(h => `${h.type} ${h.value}`).join(', ')}`)
    }
    const body: EvidenceBody = {
      format: EVIDENCE_FORMAT,
      createdAt: new Date(this.now()).toISOString(),
      node: { publisherKey: toHex(this.c.key.publicKey), network: this.c.network },
      subject: { ...(contentId === undefined ? {} : { contentId }), hashes },
      ...(match === undefined ? {} : { match }),
      batches,
      forum: this.forum(new Set(batches.map(b => b.publisher))),
      audit
    }
    const signature = toHex(sign(signedMessage(body), this.c.key.secretKey))
    const text = canonicalText({ ...body, signature })
    // Each part is bounded; together they could still pass what a verifier reads.
    const bytes = Buffer.byteLength(text)
    if (bytes > MAX_EVIDENCE_FILE_BYTES) throw tooLarge(`the bundle would be ${bytes} bytes, at most ${MAX_EVIDENCE_FILE_BYTES}`)
    return { text, subject: body.subject }
  }

  private async subject (query: EvidenceQuery): Promise<{ match?: MatchRecord, hashes: HashRef[], contentId?: string }> {
    if ('contentId' in query) {
      if (query.contentId.length === 0 || query.contentId.length > MAX_CONTENT_ID_CHARS) {
        throw new EvidenceError('BAD_EVIDENCE_QUERY', `a content id is 1-${MAX_CONTENT_ID_CHARS} characters`)
      }
      const match = await this.c.matchLog?.latestFor(query.contentId)
      if (match === undefined) throw new EvidenceError('NO_EVIDENCE', `no match is recorded for content id ${JSON.stringify(query.contentId.slice(0, 80))}`)
      const stored = match.matched.map(m => ({ type: match.hash.type, value: m.value.toLowerCase() }))
      const hashes = distinct(stored.length === 0 ? [match.hash] : stored)
      if (hashes.length > MAX_EVIDENCE_HASHES) throw tooLarge(`the match record names ${hashes.length} hashes, at most ${MAX_EVIDENCE_HASHES}`)
      return { match, hashes, contentId: query.contentId }
    }
    const { type, value } = parseSignalValue(query.type, query.value)
    return { hashes: [{ type: type.name, value: toHex(value) }] }
  }

  /** Every stored batch with an entry about one of the hashes, each once, by publisher then seq. */
  private async batches (hashes: readonly HashRef[]): Promise<EvidenceBatch[]> {
    const found = new Map<string, { publisher: Uint8Array, seq: number, id: string, entries: EvidenceEntry[] }>()
    for (const hash of hashes) {
      const { type, value } = parseSignalValue(hash.type, hash.value)
      for (const row of await this.c.store.entriesFor(type.code, value)) {
        const key = `${toHex(row.publisher)}:${String(row.seq).padStart(16, '0')}`
        let batch = found.get(key)
        if (batch === undefined) {
          if (found.size >= this.limits.maxBatches) throw tooLarge(`more than ${this.limits.maxBatches} batches mention these hashes`)
          batch = { publisher: row.publisher, seq: row.seq, id: toHex(row.batchId), entries: [] }
          found.set(key, batch)
        }
        batch.entries.push({ position: row.position, type: type.name, value: hash.value, action: ACTION_NAMES[row.action] })
      }
    }
    const out: EvidenceBatch[] = []
    let bytes = 0
    for (const key of [...found.keys()].sort(byText)) {
      const b = found.get(key)!
      const signed = await this.c.store.getSignedBatch(b.publisher, b.seq)
      // The index names a batch the store no longer has: a damaged store, which `audit verify` reports; the bundle shows what is there.
      if (signed === undefined) continue
      bytes += signed.length
      if (bytes > this.limits.maxBatchBytes) throw tooLarge(`the batches mentioning these hashes exceed ${this.limits.maxBatchBytes} bytes`)
      const entries = b.entries.sort((x, y) => x.position - y.position)
      out.push({ id: b.id, publisher: toHex(b.publisher), seq: b.seq, entries, signed: Buffer.from(signed).toString('base64') })
    }
    return out
  }

  /** The roots, and the records about the publishers: their credentials and revocations, and rotations away from their keys. */
  private forum (publishers: ReadonlySet<string>): EvidenceBody['forum'] {
    const records: EvidenceForumRecord[] = []
    for (const signed of this.c.forum.signedRecords()) {
      const { id, body } = decodeSignedForumRecord(signed)
      const member = toHex(body.credential?.member ?? body.revocation!.member)
      const oldKey = body.credential?.rotation?.body.oldKey
      if (!publishers.has(member) && (oldKey === undefined || !publishers.has(toHex(oldKey)))) continue
      records.push({ id: toHex(id), kind: body.credential === undefined ? 'revocation' : 'credential', member, signed: Buffer.from(signed).toString('base64') })
    }
    return { roots: this.c.forum.rootKeys().map(k => k.toLowerCase()).sort(byText), records: records.sort((a, b) => byText(a.id, b.id)) }
  }

  /**
   * The head first, then the records up to it that concern the subject: a record appended meanwhile
   * is past the head and left out, so the head and the records agree.
   */
  private async audit (terms: ReadonlySet<string>): Promise<EvidenceBody['audit']> {
    const head = await this.c.auditLog.head()
    const records: EvidenceAuditRecord[] = []
    for await (const [seq, bytes] of this.c.store.repositories.auditLog.entries({ chunk: AUDIT_SCAN_CHUNK })) {
      if (seq > head.seq) break
      let details
      try {
        details = decodeAuditRecord(bytes).details
      } catch {
        // Undecodable: nothing to tell whether it concerns the subject; `audit verify` reports it.
        continue
      }
      if (!concerns(details, terms)) continue
      if (records.length >= this.limits.maxAuditRecords) throw tooLarge(`more than ${this.limits.maxAuditRecords} audit records concern these hashes`)
      records.push({ seq, hash: toHex(sha256(bytes)), record: Buffer.from(bytes).toString('base64') })
    }
    return { head, records }
  }
}

function distinct (hashes: readonly HashRef[]): HashRef[] {
  const seen = new Map(hashes.map(h => [`${h.type}:${h.value.toLowerCase()}`, { type: h.type, value: h.value.toLowerCase() }]))
  return [...seen.values()]
}
