/** Domain types decoded from the wire. Values are raw bytes; hex is only for people. */

export const Action = Object.freeze({ ADD: 0, RETRACT: 1 } as const)
export type Action = typeof Action[keyof typeof Action]

export const ACTION_NAMES: Readonly<Record<Action, 'add' | 'retract'>> = { 0: 'add', 1: 'retract' }

export interface Entry {
  signalType: string
  value: Uint8Array
  labels: string[]
  action: Action
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
