import { generateSecretKey, publicKeyOf, sign } from '../../../src/crypto/ed25519.js'
import { toHex } from '../../../src/signals/hex.js'
import {
  decodeKeyRotation, decodeSignedForumRecord, encodeForumRecordBody, encodeKeyRotation, encodeSignedForumRecord, encodeSignedKeyRotation
} from '../../../src/wire/forumCodec.js'
import type { DecodedForumRecord, DecodedKeyRotation, Role } from '../../../src/wire/types.js'
import { TEST_NETWORK } from '../../helpers/batches.js'

export const T0 = 1_700_000_000_000
export const DAY = 24 * 60 * 60 * 1000

/** A forum root: a key pair that signs records. */
export class Root {
  readonly secretKey = generateSecretKey()
  readonly publicKey = publicKeyOf(this.secretKey)
  readonly hex = toHex(this.publicKey)
  private nextSerial = 1

  credential (member: Uint8Array, o: {
    organisation?: string
    roles?: Role[]
    validFromMs?: number
    validUntilMs?: number
    serial?: number
    rotation?: DecodedKeyRotation
    createdAtMs?: number
    network?: string
  } = {}): DecodedForumRecord {
    return this.signRecord({
      signer: this.publicKey,
      network: o.network ?? TEST_NETWORK,
      createdAtMs: o.createdAtMs ?? T0,
      credential: {
        member,
        organisation: o.organisation ?? 'Example Org',
        roles: o.roles ?? ['publish', 'consume', 'opine'],
        validFromMs: o.validFromMs ?? T0,
        validUntilMs: o.validUntilMs ?? T0 + 365 * DAY,
        serial: o.serial ?? this.nextSerial++,
        ...(o.rotation === undefined ? {} : { rotation: o.rotation })
      }
    })
  }

  revocation (member: Uint8Array, o: {
    serial?: number
    effectiveAtMs?: number
    lastSeq?: number
    reason?: string
    createdAtMs?: number
    network?: string
  } = {}): DecodedForumRecord {
    return this.signRecord({
      signer: this.publicKey,
      network: o.network ?? TEST_NETWORK,
      createdAtMs: o.createdAtMs ?? T0 + DAY,
      revocation: { member, serial: o.serial ?? 0, effectiveAtMs: o.effectiveAtMs ?? T0 + DAY, lastSeq: o.lastSeq ?? 0, reason: o.reason ?? 'left the forum' }
    })
  }

  private signRecord (record: Parameters<typeof encodeForumRecordBody>[0]): DecodedForumRecord {
    const body = encodeForumRecordBody(record)
    return decodeSignedForumRecord(encodeSignedForumRecord(body, sign(body, this.secretKey)))
  }
}

/** A rotation statement signed by `signer` (the old key, unless a test forges it). */
export function rotation (
  oldSecret: Uint8Array, newKey: Uint8Array, o: { lastSeq?: number, createdAtMs?: number, network?: string, signer?: Uint8Array } = {}
): DecodedKeyRotation {
  const body = encodeKeyRotation({
    oldKey: publicKeyOf(oldSecret),
    newKey,
    network: o.network ?? TEST_NETWORK,
    createdAtMs: o.createdAtMs ?? T0 + DAY,
    lastSeq: o.lastSeq ?? 0
  })
  return decodeKeyRotation(encodeSignedKeyRotation(body, sign(body, o.signer ?? oldSecret)))
}

export function newMember (): { secretKey: Uint8Array, publicKey: Uint8Array, hex: string } {
  const secretKey = generateSecretKey()
  const publicKey = publicKeyOf(secretKey)
  return { secretKey, publicKey, hex: toHex(publicKey) }
}
