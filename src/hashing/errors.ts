import { HashmeshError } from '../errors.js'

export type HashingErrorCode =
  /** The bytes are not an image in a format the decoder accepts (or sharp cannot read them). */
  | 'UNSUPPORTED_IMAGE'
  /** width × height is over the caller's pixel bound: decoding would cost more memory than allowed. */
  | 'IMAGE_TOO_LARGE'
  /** Pixels that cannot be hashed as given: zero or non-integer size, or a buffer whose length disagrees with it. */
  | 'BAD_IMAGE'

export class HashingError extends HashmeshError<HashingErrorCode> {}
