import { HashmeshError } from '../errors.js'
import type { WireErrorCode } from '../wire/errors.js'

/**
 * Gossip semantics, as in lodestar: REJECT means the sender did something no honest peer does
 * (penalise it); IGNORE means drop without blame (duplicate, not for us, not trusted here).
 */
export type ValidationAction = 'ignore' | 'reject'

export type ValidationCode =
  | WireErrorCode
  | 'WRONG_NETWORK'
  | 'UNTRUSTED_PUBLISHER'
  /** An untrusted batch past the byte budget of its peer or its publisher: dropped without looking further. */
  | 'UNTRUSTED_BUDGET'
  /** Forum membership (all IGNORE: an honest relay may not have learned the record that refuses it yet). */
  | 'NO_CREDENTIAL'
  | 'MISSING_ROLE'
  | 'CREDENTIAL_REVOKED'
  | 'KEY_ROTATED'
  | 'DUPLICATE'
  | 'SEQ_CONFLICT'
  | 'PREV_MISMATCH'
  | 'EQUIVOCATION'
  | 'EQUIVOCATING'
  | 'NOT_EQUIVOCATION'
  | 'FUTURE_TIMESTAMP'
  | 'BAD_SIGNATURE'
  | 'INTERNAL'

/** A refusal of something a peer sent, carrying what gossip should do with it. */
export class RefusalError<C extends string> extends HashmeshError<C> {
  readonly action: ValidationAction

  constructor (action: ValidationAction, code: C, message: string, options?: { cause?: unknown }) {
    super(code, message, options)
    this.action = action
  }
}

export class BatchValidationError extends RefusalError<ValidationCode> {}

/**
 * A signal type this node does not know may come from a newer peer: not its fault, so IGNORE.
 * Every other structural fault is something an honest encoder never produces: REJECT.
 */
export function actionForWireError (code: WireErrorCode): ValidationAction {
  return code === 'UNKNOWN_SIGNAL_TYPE' ? 'ignore' : 'reject'
}
