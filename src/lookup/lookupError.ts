import { HashmeshError } from '../errors.js'

export type LookupErrorCode =
  /** maxDistance is not an integer in 0..256. */
  | 'BAD_MAX_DISTANCE'
  /** maxDistance or variants were given for a signal type that is matched exactly. */
  | 'NOT_PERCEPTUAL'
  /** More variants than the eight dihedral forms of one image. */
  | 'TOO_MANY_VARIANTS'
  /** More PDQ queries past the index's reach (each a full scan) than one request may hold. */
  | 'TOO_MANY_SCANS'
  /** The request's PDQ searches, priced by the index's cost model, are over the budget (limits.ts). */
  | 'TOO_COSTLY'

export class LookupError extends HashmeshError<LookupErrorCode> {}
