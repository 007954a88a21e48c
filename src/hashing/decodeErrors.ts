import { HashingError } from './errors.js'

// sharp reports everything as a plain Error; its message is the only signal. Matched loosely so a
// rewording upstream degrades to UNSUPPORTED_IMAGE rather than to an unexpected error type.
const PIXEL_LIMIT = /exceeds pixel limit/i

/** The one place sharp's failures become HashingError codes. */
export function hashingErrorFromSharp (err: unknown): HashingError {
  if (err instanceof HashingError) return err
  const message = err instanceof Error ? err.message : String(err)
  if (PIXEL_LIMIT.test(message)) return new HashingError('IMAGE_TOO_LARGE', 'image has more pixels than allowed', { cause: err })
  return new HashingError('UNSUPPORTED_IMAGE', `not a decodable image: ${message.slice(0, 200)}`, { cause: err })
}
