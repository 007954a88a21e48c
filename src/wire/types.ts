/** Domain types decoded from the wire. Values are raw bytes; hex is only for people. */

export const Action = Object.freeze({ ADD: 0, RETRACT: 1, CONFIRM: 2, FALSE_POSITIVE: 3, DISPUTE: 4, WITHDRAW: 5 } as const)
export type Action = typeof Action[keyof typeof Action]

export type ActionName = 'add' | 'retract' | 'confirm' | 'false_positive' | 'dispute' | 'withdraw'

export const ACTION_NAMES: Readonly<Record<Action, ActionName>> = { 0: 'add', 1: 'retract', 2: 'confirm', 3: 'false_positive', 4: 'dispute', 5: 'withdraw' }

export const ACTION_BY_NAME: Readonly<Record<ActionName, Action>> = { add: 0, retract: 1, confirm: 2, false_positive: 3, dispute: 4, withdraw: 5 }

/** ADD and RETRACT are a publisher's own word on a hash; the rest are opinions about others' entries. */
export function isOpinion (action: Action): boolean {
  return action >= Action.CONFIRM
}

export interface Entry {
  signalType: string
  value: Uint8Array
  labels: string[]
  action: Action
  /** Opinions only: a short reason code; absent when none. */
  reason?: string
}

export interface BatchBody {
  publisher: Uint8Array
  seq: number
  prev: Uint8Array
  createdAtMs: number
  network: string
  entries: Entry[]
}

/** A batch that passed every structural check; the signature is not yet verified. */
export interface DecodedBatch {
  /** SHA-256 of `bodyBytes`. */
  id: Uint8Array
  bodyBytes: Uint8Array
  signature: Uint8Array
  body: BatchBody
  /** The exact SignedBatch bytes, as received or as produced. */
  signedBytes: Uint8Array
}

export type Role = 'publish' | 'consume' | 'opine'
export const ROLES: readonly Role[] = ['publish', 'consume', 'opine']

export interface KeyRotation {
  oldKey: Uint8Array
  newKey: Uint8Array
  network: string
  createdAtMs: number
  /** The old key's last batch; its later seqs are refused. 0 when it published none. */
  lastSeq: number
}

export interface DecodedKeyRotation {
  body: KeyRotation
  bodyBytes: Uint8Array
  signature: Uint8Array
  /** The exact SignedKeyRotation bytes. */
  signedBytes: Uint8Array
}

export interface Credential {
  member: Uint8Array
  organisation: string
  roles: Role[]
  validFromMs: number
  validUntilMs: number
  serial: number
  /** Present when the member moved to this key from an older one (signed by the old key). */
  rotation?: DecodedKeyRotation
}

export interface Revocation {
  member: Uint8Array
  /** 0: every credential the signing root issued to the member. */
  serial: number
  effectiveAtMs: number
  /** The member's batches above this seq are refused; 0 when no seq bound is given. */
  lastSeq: number
  reason: string
}

export interface ForumRecord {
  signer: Uint8Array
  network: string
  createdAtMs: number
  credential?: Credential
  revocation?: Revocation
}

/** A forum record that passed every structural check; signatures are not yet verified. */
export interface DecodedForumRecord {
  /** SHA-256 of `bodyBytes`. */
  id: Uint8Array
  bodyBytes: Uint8Array
  signature: Uint8Array
  body: ForumRecord
  signedBytes: Uint8Array
}
