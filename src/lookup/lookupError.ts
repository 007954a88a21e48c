import { HashmeshError } from '../errors.js'

export type LookupErrorCode =
  /** maxDistance is not an integer in 0..256. */
  | 'BAD_MAX_DISTANCE'
  /** maxDistance or variants were given for a signal type that is matched exactly. */
  | 'NOT_PERCEPTUAL'
  /** More variants than the eight dihedral forms of one image. */
  | 'TOO_MANY_VARIANTS'

export class LookupError extends HashmeshError<LookupErrorCode> {}
