/** RFC 9110 token characters, for a media type's type and subtype. */
const TOKEN = /^[\w!#$%&'*+.^`|~-]+$/

/**
 * The media type of a Content-Type header (RFC 9110 §8.3.1), lowercased and without its
 * parameters: `Image/PNG; x=1` is `image/png`. Undefined when there is none or it is malformed.
 */
export function mediaTypeOf (header: string | undefined): string | undefined {
  if (header === undefined) return undefined
  const [type, subtype, ...rest] = (header.split(';')[0] ?? '').trim().toLowerCase().split('/')
  if (type === undefined || subtype === undefined || rest.length > 0 || !TOKEN.test(type) || !TOKEN.test(subtype)) return undefined
  return `${type}/${subtype}`
}
