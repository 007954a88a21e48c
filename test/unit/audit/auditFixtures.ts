import { generateSecretKey, publicKeyOf, sign } from '../../../src/crypto/ed25519.js'
import type { RowStanding, StandingView } from '../../../src/forum/standing.js'
import { toHex } from '../../../src/signals/hex.js'
import type { BatchReceipt, HashStore } from '../../../src/store/hashStore.js'
import {
  decodeKeyRotation, decodeSignedForumRecord, encodeForumRecordBody, encodeKeyRotation, encodeSignedForumRecord, encodeSignedKeyRotation
} from '../../../src/wire/forumCodec.js'
import { Action, type DecodedBatch, type DecodedForumRecord, type Entry } from '../../../src/wire/types.js'
import { TEST_NETWORK, makeSignedBatch, randomValue } from '../../helpers/batches.js'

export const T0 = Date.UTC(2024, 0, 1)
export const DAY = 24 * 60 * 60 * 1000

/** A publisher key with its next batch to sign, linked to the last. */
export class Publisher {
  readonly secretKey = generateSecretKey()
  readonly publicKey = publicKeyOf(this.secretKey)
  readonly hex = toHex(this.publicKey)
  private last: DecodedBatch | undefined

  next (entries: Entry[], createdAtMs: number): DecodedBatch {
    const seq = (this.last?.body.seq ?? 0) + 1
    this.last = makeSignedBatch({ secretKey: this.secretKey, seq, ...(this.last === undefined ? {} : { prev: this.last.id }), entries, createdAtMs })
    return this.last
  }

  async publish (store: HashStore, entries: Entry[], createdAtMs: number, receipt: BatchReceipt): Promise<DecodedBatch> {
    const batch = this.next(entries, createdAtMs)
    await store.applyBatch(batch, receipt)
    return batch
  }
}

export function hashEntry (value: Uint8Array, action: Action = Action.ADD, labels: string[] = ['csam'], signalType = 'md5'): Entry {
  return { signalType, value, labels: action === Action.ADD || action === Action.RETRACT ? labels : [], action }
}

export function opinionEntry (value: Uint8Array, action: Action, reason?: string, signalType = 'md5'): Entry {
  return { signalType, value, labels: [], action, ...(reason === undefined ? {} : { reason }) }
}

export function randomMd5 (): Uint8Array {
  return randomValue('md5')
}

/** Organisations by publisher hex; everyone else stands with no credential and is not counted. */
export function standingOf (organisations: Record<string, string>): StandingView {
  return {
    standing: (publisher): RowStanding => {
      const organisation = organisations[toHex(publisher)]
      return organisation === undefined
        ? { status: 'no-credential', visible: false }
        : { status: 'member', visible: true, organisation, serial: 7, root: 'ab'.repeat(32) }
    }
  }
}

/** A forum root that signs credentials, optionally with a key rotation signed by `rotationSigner`. */
export class ForumRoot {
  readonly secretKey = generateSecretKey()
  readonly publicKey = publicKeyOf(this.secretKey)

  credential (member: Uint8Array, o: { serial?: number, rotateFrom?: Uint8Array, rotationSigner?: Uint8Array } = {}): DecodedForumRecord {
    const rotation = o.rotateFrom === undefined ? undefined : signedRotation(o.rotateFrom, member, o.rotationSigner ?? o.rotateFrom)
    const body = encodeForumRecordBody({
      signer: this.publicKey,
      network: TEST_NETWORK,
      createdAtMs: T0,
      credential: {
        member, organisation: 'Org A', roles: ['publish', 'opine'], validFromMs: T0, validUntilMs: T0 + 365 * DAY, serial: o.serial ?? 1,
        ...(rotation === undefined ? {} : { rotation })
      }
    })
    return decodeSignedForumRecord(encodeSignedForumRecord(body, sign(body, this.secretKey)))
  }
}

function signedRotation (oldSecret: Uint8Array, newKey: Uint8Array, signer: Uint8Array): ReturnType<typeof decodeKeyRotation> {
  const body = encodeKeyRotation({ oldKey: publicKeyOf(oldSecret), newKey, network: TEST_NETWORK, createdAtMs: T0, lastSeq: 0 })
  return decodeKeyRotation(encodeSignedKeyRotation(body, sign(body, signer)))
}
