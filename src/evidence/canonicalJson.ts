import canonicalize from 'canonicalize'
import { type EvidenceBody, type EvidenceBundle, SIGNING_CONTEXT } from './evidenceBundle.js'

/** RFC 8785 (JCS) text of a JSON value; the `canonicalize` package is by the RFC's authors. */
export function canonicalText (value: unknown): string {
  const text = canonicalize(value)
  if (text === undefined) throw new TypeError('value has no JSON form')
  return text
}

/** What the node signs: the context line, then the canonical body (the bundle without its signature). */
export function signedMessage (body: EvidenceBody): Uint8Array {
  return Buffer.from(SIGNING_CONTEXT + canonicalText(body), 'utf8')
}

export function bodyOf (bundle: EvidenceBundle): EvidenceBody {
  const { signature: _signature, ...body } = bundle
  return body
}
