import { hmac } from '@noble/hashes/hmac.js'
import { sha256 } from '@noble/hashes/sha2.js'

export const SIGNATURE_HEADER = 'x-hashmesh-signature'

/**
 * `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, t + "." + body)>`, as Stripe signs its webhooks:
 * the time is signed with the body, so a receiver that refuses old timestamps refuses replays.
 */
export function signatureHeader (secret: Uint8Array, unixSeconds: number, body: Uint8Array): string {
  const prefix = new TextEncoder().encode(`${unixSeconds}.`)
  const signed = new Uint8Array(prefix.length + body.length)
  signed.set(prefix)
  signed.set(body, prefix.length)
  return `t=${unixSeconds},v1=${Buffer.from(hmac(sha256, secret, signed)).toString('hex')}`
}
