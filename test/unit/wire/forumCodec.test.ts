import assert from 'node:assert/strict'
import type { WireErrorCode } from '../../../src/wire/errors.js'
import {
  decodeKeyRotation, decodeSignedForumRecord, encodeForumRecordBody, encodeKeyRotation, encodeSignedForumRecord, encodeSignedKeyRotation
} from '../../../src/wire/forumCodec.js'
import { MAX_FORUM_RECORD_BYTES, MAX_KEY_ROTATION_BYTES, MAX_REVOCATION_REASON_CHARS } from '../../../src/wire/limits.js'
import { ForumRecordType, KeyRotationType, SignedForumRecordType, SignedKeyRotationType } from '../../../src/wire/schema.js'
import { throwsWire } from './fixtures.js'

const SIGNER = new Uint8Array(32).fill(0xaa)
const MEMBER = new Uint8Array(32).fill(0xbb)
const OLD = new Uint8Array(32).fill(0xcc)
const SIG = new Uint8Array(64).fill(1)

/** Encodes whatever it is given, bypassing every check: a buggy or hostile peer's bytes. */
function rawRecord (fields: Record<string, unknown>, signature = SIG): Uint8Array {
  return SignedForumRecordType.encode({ body: ForumRecordType.encode(ForumRecordType.fromObject(fields)).finish(), signature }).finish()
}

function rawRotation (fields: Record<string, unknown>, signature = SIG): Uint8Array {
  return SignedKeyRotationType.encode({ body: KeyRotationType.encode(KeyRotationType.fromObject(fields)).finish(), signature }).finish()
}

const ROTATION = { oldKey: OLD, newKey: MEMBER, network: 'forum', createdAtMs: 5, lastSeq: 3 }
const CREDENTIAL = { member: MEMBER, organisation: 'Org', roles: ['publish'], validFromMs: 1, validUntilMs: 2, serial: 1 }
const REVOCATION = { member: MEMBER, serial: 0, effectiveAtMs: 1, lastSeq: 0, reason: 'gone' }

function credentialRecord (credential: Record<string, unknown> = {}, record: Record<string, unknown> = {}): Uint8Array {
  return rawRecord({ signer: SIGNER, network: 'forum', createdAtMs: 1, credential: { ...CREDENTIAL, ...credential }, ...record })
}

function revocationRecord (revocation: Record<string, unknown> = {}): Uint8Array {
  return rawRecord({ signer: SIGNER, network: 'forum', createdAtMs: 1, revocation: { ...REVOCATION, ...revocation } })
}

describe('wire: forum codec, every refusal', function () {
  const cases: Array<[string, () => Uint8Array, WireErrorCode]> = [
    ['not protobuf', () => Uint8Array.of(0xff, 0xff, 0xff), 'MALFORMED'],
    ['a body that is not protobuf', () => SignedForumRecordType.encode({ body: Uint8Array.of(0xff, 0xff), signature: SIG }).finish(), 'MALFORMED'],
    ['over the size bound', () => new Uint8Array(MAX_FORUM_RECORD_BYTES + 1), 'OVERSIZED'],
    ['a short signature', () => rawRecord({ signer: SIGNER, network: 'forum', createdAtMs: 1, credential: CREDENTIAL }, SIG.subarray(1)),
      'BAD_SIGNATURE_LENGTH'],
    ['a short signer', () => credentialRecord({}, { signer: SIGNER.subarray(1) }), 'BAD_SIGNER'],
    ['a bad network', () => credentialRecord({}, { network: 'Forum!' }), 'BAD_NETWORK'],
    ['created_at past 2^53', () => credentialRecord({}, { createdAtMs: '9007199254740992' }), 'BAD_TIMESTAMP'],
    ['neither kind', () => rawRecord({ signer: SIGNER, network: 'forum', createdAtMs: 1 }), 'BAD_RECORD_KIND'],
    ['a short member', () => credentialRecord({ member: MEMBER.subarray(2) }), 'BAD_MEMBER'],
    ['an empty organisation', () => credentialRecord({ organisation: '' }), 'BAD_ORGANISATION'],
    ['an organisation of 129 characters', () => credentialRecord({ organisation: 'o'.repeat(129) }), 'BAD_ORGANISATION'],
    ['an organisation with a newline', () => credentialRecord({ organisation: 'a\nb' }), 'BAD_ORGANISATION'],
    ['no roles', () => credentialRecord({ roles: [] }), 'BAD_ROLES'],
    ['an unknown role', () => credentialRecord({ roles: ['admin'] }), 'BAD_ROLES'],
    ['a role twice', () => credentialRecord({ roles: ['publish', 'publish'] }), 'BAD_ROLES'],
    ['serial 0', () => credentialRecord({ serial: 0 }), 'BAD_SERIAL'],
    ['serial past 2^53', () => credentialRecord({ serial: '9007199254740992' }), 'BAD_SERIAL'],
    ['valid_until not after valid_from', () => credentialRecord({ validFromMs: 2, validUntilMs: 2 }), 'BAD_VALIDITY'],
    ['valid_from past 2^53', () => credentialRecord({ validFromMs: '18446744073709551615' }), 'BAD_VALIDITY'],
    ['a rotation that is not protobuf', () => credentialRecord({ rotation: Uint8Array.of(0xff, 0xff) }), 'MALFORMED'],
    ['a rotation to another key than the member', () => credentialRecord({ rotation: rawRotation({ ...ROTATION, newKey: OLD.map(b => b ^ 1) }) }),
      'BAD_ROTATION'],
    ['a rotation to the same key', () => credentialRecord({ member: OLD, rotation: rawRotation({ ...ROTATION, newKey: OLD }) }), 'BAD_ROTATION'],
    ['a rotation with a short old key', () => credentialRecord({ rotation: rawRotation({ ...ROTATION, oldKey: OLD.subarray(1) }) }), 'BAD_ROTATION'],
    ['a rotation with a short signature', () => credentialRecord({ rotation: rawRotation(ROTATION, SIG.subarray(2)) }), 'BAD_SIGNATURE_LENGTH'],
    ['a rotation with a bad network', () => credentialRecord({ rotation: rawRotation({ ...ROTATION, network: '' }) }), 'BAD_NETWORK'],
    ['a revocation with a short member', () => revocationRecord({ member: new Uint8Array(0) }), 'BAD_MEMBER'],
    ['a revocation reason over the bound', () => revocationRecord({ reason: 'r'.repeat(MAX_REVOCATION_REASON_CHARS + 1) }), 'BAD_REASON'],
    ['a revocation reason with a control character', () => revocationRecord({ reason: 'a\u0007b' }), 'BAD_REASON'],
    ['a revocation effective_at past 2^53', () => revocationRecord({ effectiveAtMs: '9007199254740993' }), 'BAD_TIMESTAMP'],
    ['a revocation last_seq past 2^53', () => revocationRecord({ lastSeq: '9007199254740993' }), 'BAD_SEQ']
  ]
  for (const [what, bytes, code] of cases) {
    it(`refuses ${what}: ${code}`, function () {
      throwsWire(() => decodeSignedForumRecord(bytes()), code)
    })
  }

  it('accepts the shortest valid records of both kinds, and a reason at its bound', function () {
    assert.equal(decodeSignedForumRecord(credentialRecord()).body.credential?.organisation, 'Org')
    assert.equal(decodeSignedForumRecord(revocationRecord({ reason: 'r'.repeat(MAX_REVOCATION_REASON_CHARS) })).body.revocation?.serial, 0)
    assert.equal(decodeSignedForumRecord(revocationRecord({ reason: '' })).body.revocation?.reason, '')
    const withRotation = decodeSignedForumRecord(credentialRecord({ rotation: rawRotation(ROTATION) }))
    assert.equal(withRotation.body.credential?.rotation?.body.lastSeq, 3)
  })

  it('refuses an oversized key rotation on its own', function () {
    throwsWire(() => decodeKeyRotation(new Uint8Array(MAX_KEY_ROTATION_BYTES + 1)), 'OVERSIZED')
  })

  it('refuses to encode what it would refuse to decode', function () {
    throwsWire(() => encodeForumRecordBody({ signer: SIGNER, network: 'forum', createdAtMs: 1 }), 'BAD_RECORD_KIND')
    throwsWire(() => encodeForumRecordBody({
      signer: SIGNER, network: 'forum', createdAtMs: 1, credential: { ...CREDENTIAL, roles: ['publish'] }, revocation: { ...REVOCATION }
    }), 'BAD_RECORD_KIND')
    throwsWire(() => encodeKeyRotation({ ...ROTATION, newKey: OLD }), 'BAD_ROTATION')
    throwsWire(() => encodeSignedForumRecord(new Uint8Array(10), SIG.subarray(1)), 'BAD_SIGNATURE_LENGTH')
    throwsWire(() => encodeSignedForumRecord(new Uint8Array(MAX_FORUM_RECORD_BYTES), SIG), 'OVERSIZED')
    throwsWire(() => encodeSignedKeyRotation(new Uint8Array(MAX_KEY_ROTATION_BYTES), SIG), 'OVERSIZED')
  })
})
