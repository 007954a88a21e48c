import { z } from 'zod'
import { NETWORK_PATTERN } from '../wire/limits.js'
import { ACTION_NAMES } from '../wire/types.js'
import {
  EVIDENCE_FORMAT, type EvidenceBundle, MAX_CONTENT_ID_CHARS, MAX_EVIDENCE_AUDIT_RECORDS, MAX_EVIDENCE_BATCHES, MAX_EVIDENCE_FORUM_RECORDS,
  MAX_EVIDENCE_HASHES, MAX_EVIDENCE_ROOTS
} from './evidenceBundle.js'

/**
 * The bundle's shape, strictly: lowercase hex of exact lengths, canonical padded base64, integers
 * in range, no member the format does not name (outside the match record, which the match log
 * shapes). Shape only: whether the bytes inside verify is for the checks that follow.
 */

const hex = (bytes: number): z.ZodString => z.string().regex(new RegExp(`^[0-9a-f]{${bytes * 2}}$`), `must be ${bytes * 2} lowercase hex digits`)
const key = hex(32)
const seq = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER)
const hashValue = z.string().regex(/^[0-9a-f]{2,128}$/, 'must be lowercase hex')
const hashRef = z.strictObject({ type: z.string().min(1).max(16), value: hashValue })
/** Standard base64 with padding, and nothing a decoder would skip: the bytes have one spelling. */
const base64 = (maxBytes: number): z.ZodString => z.string().max(Math.ceil(maxBytes / 3) * 4)
  .refine(s => /^[A-Za-z0-9+/]*={0,2}$/.test(s) && Buffer.from(s, 'base64').toString('base64') === s, 'must be canonical padded base64')
const actionName = z.enum(Object.values(ACTION_NAMES))
const isoTime = z.string().max(40).refine(s => !Number.isNaN(Date.parse(s)), 'must be an ISO-8601 time')

const entry = z.strictObject({ position: z.number().int().min(0).max(9_999), type: z.string().min(1).max(16), value: hashValue, action: actionName })

const batch = z.strictObject({
  id: hex(32),
  publisher: key,
  seq: seq.min(1),
  entries: z.array(entry).min(1).max(10_000),
  signed: base64(1_048_704)
})

const forumRecord = z.strictObject({ id: hex(32), kind: z.enum(['credential', 'revocation']), member: key, signed: base64(4096) })

const auditRecord = z.strictObject({ seq: seq.min(1), hash: hex(32), record: base64(16 * 1024) })

const publisherRef = z.looseObject({ publisher: key })

const matchRecord = z.looseObject({
  id: z.string().min(1).max(64),
  contentId: z.string().min(1).max(MAX_CONTENT_ID_CHARS),
  hash: hashRef,
  matched: z.array(z.looseObject({ value: hashValue, addedBy: z.array(publisherRef), retractedBy: z.array(publisherRef) })).max(MAX_EVIDENCE_HASHES)
})

export const bundleShape = z.strictObject({
  format: z.literal(EVIDENCE_FORMAT),
  createdAt: isoTime,
  node: z.strictObject({ publisherKey: key, network: z.string().regex(NETWORK_PATTERN) }),
  subject: z.strictObject({ contentId: z.string().min(1).max(MAX_CONTENT_ID_CHARS).optional(), hashes: z.array(hashRef).min(1).max(MAX_EVIDENCE_HASHES) }),
  match: matchRecord.optional(),
  batches: z.array(batch).max(MAX_EVIDENCE_BATCHES),
  forum: z.strictObject({ roots: z.array(key).max(MAX_EVIDENCE_ROOTS), records: z.array(forumRecord).max(MAX_EVIDENCE_FORUM_RECORDS) }),
  audit: z.strictObject({
    head: z.strictObject({ seq, hash: hex(32) }),
    records: z.array(auditRecord).max(MAX_EVIDENCE_AUDIT_RECORDS)
  }),
  signature: hex(64)
})

/** The bundle, or the first place its shape is wrong (a JSON path and what is wrong there). */
export function parseShape (value: unknown): { bundle: EvidenceBundle } | { problem: string } {
  const parsed = bundleShape.safeParse(value)
  if (parsed.success) return { bundle: parsed.data as unknown as EvidenceBundle }
  const issue = parsed.error.issues[0]!
  const path = issue.path.length === 0 ? 'the bundle' : issue.path.map(p => typeof p === 'number' ? `[${p}]` : `.${String(p)}`).join('').replace(/^\./, '')
  return { problem: `${path}: ${issue.message}` }
}
