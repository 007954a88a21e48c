import { sha256 } from '@noble/hashes/sha2.js'
import type protobuf from 'protobufjs'
import { WireError } from './errors.js'
import {
  MAX_FORUM_RECORD_BYTES, MAX_KEY_ROTATION_BYTES, MAX_REVOCATION_REASON_CHARS, NETWORK_PATTERN, ORGANISATION_PATTERN,
  PUBLIC_KEY_BYTES, SIGNATURE_BYTES
} from './limits.js'
import { ForumRecordType, KeyRotationType, SignedForumRecordType, SignedKeyRotationType } from './schema.js'
import {
  type Credential, type DecodedForumRecord, type DecodedKeyRotation, type ForumRecord, type KeyRotation, ROLES, type Revocation, type Role
} from './types.js'
import { type LongLike, toSafeInteger } from './uint64.js'

type Uint64 = number | LongLike

interface RawRotation { oldKey: Uint8Array, newKey: Uint8Array, network: string, createdAtMs: Uint64, lastSeq: Uint64 }
interface RawCredential {
  member: Uint8Array
  organisation: string
  roles: string[]
  validFromMs: Uint64
  validUntilMs: Uint64
  serial: Uint64
  rotation: Uint8Array
}
interface RawRevocation { member: Uint8Array, serial: Uint64, effectiveAtMs: Uint64, lastSeq: Uint64, reason: string }
interface RawRecord { signer: Uint8Array, network: string, createdAtMs: Uint64, credential?: RawCredential, revocation?: RawRevocation }
interface RawSigned { body: Uint8Array, signature: Uint8Array }

function decodeOrThrow (type: protobuf.Type, bytes: Uint8Array, what: string): unknown {
  try {
    return type.toObject(type.decode(bytes), { defaults: true, longs: Number, oneofs: false })
  } catch (err) {
    throw new WireError('MALFORMED', `${what} is not valid protobuf`, { cause: err })
  }
}

function key (bytes: Uint8Array | undefined, code: 'BAD_SIGNER' | 'BAD_MEMBER' | 'BAD_ROTATION', what: string): Uint8Array {
  if (bytes === undefined || bytes.length !== PUBLIC_KEY_BYTES) throw new WireError(code, `${what} must be a ${PUBLIC_KEY_BYTES}-byte Ed25519 public key`)
  return bytes
}

function integer (v: Uint64 | undefined, code: 'BAD_TIMESTAMP' | 'BAD_SERIAL' | 'BAD_VALIDITY' | 'BAD_SEQ' | 'BAD_ROTATION', what: string): number {
  const n = v === undefined ? 0 : toSafeInteger(v)
  if (n === undefined) throw new WireError(code, `${what} out of range`)
  return n
}

function network (name: string): string {
  if (!NETWORK_PATTERN.test(name)) throw new WireError('BAD_NETWORK', 'network must match [a-z0-9][a-z0-9._-]{0,63}')
  return name
}

function signature (bytes: Uint8Array): Uint8Array {
  if (bytes.length !== SIGNATURE_BYTES) throw new WireError('BAD_SIGNATURE_LENGTH', `signature must be ${SIGNATURE_BYTES} bytes`)
  return bytes
}

function roles (raw: readonly string[]): Role[] {
  const seen = new Set<string>()
  for (const r of raw) {
    if (!(ROLES as readonly string[]).includes(r) || seen.has(r)) throw new WireError('BAD_ROLES', `roles must be distinct values of ${ROLES.join(', ')}`)
    seen.add(r)
  }
  if (seen.size === 0) throw new WireError('BAD_ROLES', 'a credential needs at least one role')
  return [...seen] as Role[]
}

function checkRotation (raw: RawRotation): KeyRotation {
  const body = {
    oldKey: key(raw.oldKey, 'BAD_ROTATION', 'rotation old_key'),
    newKey: key(raw.newKey, 'BAD_ROTATION', 'rotation new_key'),
    network: network(raw.network),
    createdAtMs: integer(raw.createdAtMs, 'BAD_TIMESTAMP', 'rotation created_at_ms'),
    lastSeq: integer(raw.lastSeq, 'BAD_SEQ', 'rotation last_seq')
  }
  if (Buffer.compare(body.oldKey, body.newKey) === 0) throw new WireError('BAD_ROTATION', 'a rotation must move to a different key')
  return body
}

function checkCredential (raw: RawCredential): Credential {
  const organisation = raw.organisation
  if (!ORGANISATION_PATTERN.test(organisation)) throw new WireError('BAD_ORGANISATION', 'organisation must be 1-128 printable ASCII characters')
  const credential: Credential = {
    member: key(raw.member, 'BAD_MEMBER', 'credential member'),
    organisation,
    roles: roles(raw.roles),
    validFromMs: integer(raw.validFromMs, 'BAD_VALIDITY', 'valid_from_ms'),
    validUntilMs: integer(raw.validUntilMs, 'BAD_VALIDITY', 'valid_until_ms'),
    serial: integer(raw.serial, 'BAD_SERIAL', 'serial')
  }
  if (credential.serial < 1) throw new WireError('BAD_SERIAL', 'serial must be at least 1')
  if (credential.validUntilMs <= credential.validFromMs) throw new WireError('BAD_VALIDITY', 'valid_until must be after valid_from')
  if (raw.rotation.length > 0) {
    credential.rotation = decodeKeyRotation(raw.rotation)
    if (Buffer.compare(credential.rotation.body.newKey, credential.member) !== 0) {
      throw new WireError('BAD_ROTATION', 'the embedded rotation moves to another key than the member')
    }
  }
  return credential
}

function checkRevocation (raw: RawRevocation): Revocation {
  if (raw.reason.length > MAX_REVOCATION_REASON_CHARS || /[\x00-\x1f\x7f]/.test(raw.reason)) {
    throw new WireError('BAD_REASON', `revocation reason must be at most ${MAX_REVOCATION_REASON_CHARS} characters without control characters`)
  }
  return {
    member: key(raw.member, 'BAD_MEMBER', 'revocation member'),
    serial: integer(raw.serial, 'BAD_SERIAL', 'serial'),
    effectiveAtMs: integer(raw.effectiveAtMs, 'BAD_TIMESTAMP', 'effective_at_ms'),
    lastSeq: integer(raw.lastSeq, 'BAD_SEQ', 'last_seq'),
    reason: raw.reason
  }
}

/** Every structural rule of a record body; shared by encode (never produce) and decode (never accept). */
function checkRecord (raw: RawRecord): ForumRecord {
  const record: ForumRecord = {
    signer: key(raw.signer, 'BAD_SIGNER', 'signer'),
    network: network(raw.network),
    createdAtMs: integer(raw.createdAtMs, 'BAD_TIMESTAMP', 'created_at_ms')
  }
  if ((raw.credential == null) === (raw.revocation == null)) throw new WireError('BAD_RECORD_KIND', 'a forum record is exactly one of credential or revocation')
  if (raw.credential != null) record.credential = checkCredential(raw.credential)
  if (raw.revocation != null) record.revocation = checkRevocation(raw.revocation)
  return record
}

function sizeCheck (bytes: Uint8Array, max: number, what: string): void {
  if (bytes.length > max) throw new WireError('OVERSIZED', `${what} is ${bytes.length} bytes, at most ${max}`)
}

export function forumRecordId (bodyBytes: Uint8Array): Uint8Array {
  return sha256(bodyBytes)
}

export function encodeKeyRotation (body: KeyRotation): Uint8Array {
  const checked = checkRotation(body)
  return KeyRotationType.encode(KeyRotationType.fromObject(checked)).finish()
}

/** Both signed envelopes here are { body, signature } with a size bound; only their types differ. */
function encodeEnvelope (type: protobuf.Type, bodyBytes: Uint8Array, sig: Uint8Array, maxBytes: number, what: string): Uint8Array {
  const bytes = type.encode({ body: bodyBytes, signature: signature(sig) }).finish()
  sizeCheck(bytes, maxBytes, what)
  return bytes
}

function decodeEnvelope (type: protobuf.Type, signedBytes: Uint8Array, maxBytes: number, what: string): RawSigned {
  sizeCheck(signedBytes, maxBytes, what)
  const raw = decodeOrThrow(type, signedBytes, what) as RawSigned
  return { body: raw.body, signature: signature(raw.signature) }
}

export function encodeSignedKeyRotation (bodyBytes: Uint8Array, sig: Uint8Array): Uint8Array {
  return encodeEnvelope(SignedKeyRotationType, bodyBytes, sig, MAX_KEY_ROTATION_BYTES, 'key rotation')
}

/** Structure only: whether the old key signed it is for the caller. */
export function decodeKeyRotation (signedBytes: Uint8Array): DecodedKeyRotation {
  const raw = decodeEnvelope(SignedKeyRotationType, signedBytes, MAX_KEY_ROTATION_BYTES, 'key rotation')
  const body = checkRotation(decodeOrThrow(KeyRotationType, raw.body, 'key rotation body') as RawRotation)
  return { body, bodyBytes: raw.body, signature: raw.signature, signedBytes }
}

/** Validates and encodes a record body. Throws WireError for anything a receiver would reject. */
export function encodeForumRecordBody (record: ForumRecord): Uint8Array {
  const raw = {
    signer: record.signer,
    network: record.network,
    createdAtMs: record.createdAtMs,
    ...(record.credential === undefined
      ? {}
      : { credential: { ...record.credential, rotation: record.credential.rotation?.signedBytes ?? new Uint8Array(0) } }),
    ...(record.revocation === undefined ? {} : { revocation: record.revocation })
  }
  checkRecord(raw)
  const bytes = ForumRecordType.encode(ForumRecordType.fromObject(raw)).finish()
  sizeCheck(bytes, MAX_FORUM_RECORD_BYTES, 'forum record body')
  return bytes
}

export function encodeSignedForumRecord (bodyBytes: Uint8Array, sig: Uint8Array): Uint8Array {
  return encodeEnvelope(SignedForumRecordType, bodyBytes, sig, MAX_FORUM_RECORD_BYTES, 'forum record')
}

/** Decodes a SignedForumRecord with every bound checked; no signature is verified here. */
export function decodeSignedForumRecord (signedBytes: Uint8Array): DecodedForumRecord {
  const raw = decodeEnvelope(SignedForumRecordType, signedBytes, MAX_FORUM_RECORD_BYTES, 'forum record')
  const body = checkRecord(decodeOrThrow(ForumRecordType, raw.body, 'forum record body') as RawRecord)
  return { id: forumRecordId(raw.body), bodyBytes: raw.body, signature: raw.signature, body, signedBytes }
}
