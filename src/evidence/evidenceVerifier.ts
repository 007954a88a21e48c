import { verify } from '../crypto/ed25519.js'
import { checkAuditRecords } from './auditChecks.js'
import { checkBatches } from './batchChecks.js'
import { parseShape } from './bundleShape.js'
import { bodyOf, canonicalText, signedMessage } from './canonicalJson.js'
import { type EvidenceBundle, MAX_EVIDENCE_FILE_BYTES } from './evidenceBundle.js'
import { CheckLog, type EvidenceReport, short } from './evidenceReport.js'
import { checkCredentials, checkForumRecords } from './forumChecks.js'
import { checkMatch } from './matchChecks.js'

/**
 * Checks a bundle with nothing but its bytes: no node, no store, no network. In order: the file is
 * UTF-8 JSON in exactly its canonical form, of the bundle's shape; the node's signature over it;
 * each batch; each forum record; each batch's credential; each audit record; the match record.
 * Every check runs that can (one failure does not hide the next), so the report names all that failed.
 */

export interface EvidenceVerifyOptions {
  /** The node key the reader expects (hex): a bundle signed by another key fails. */
  nodeKey?: string
}

function parsed (bytes: Uint8Array, log: CheckLog): EvidenceBundle | undefined {
  if (bytes.length > MAX_EVIDENCE_FILE_BYTES) {
    log.fail('file', 'the file', `${bytes.length} bytes, at most ${MAX_EVIDENCE_FILE_BYTES}`)
    return undefined
  }
  let text: string
  let value: unknown
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes)
    value = JSON.parse(text)
  } catch (err) {
    log.fail('file', 'the file', `not UTF-8 JSON: ${(err as Error).message}`)
    return undefined
  }
  log.pass('file', 'the file', `${bytes.length} bytes of JSON`)
  let canonical: string | undefined
  try {
    canonical = canonicalText(value)
  } catch (err) {
    canonical = `(none: ${(err as Error).message})`
  }
  if (canonical !== text) {
    log.fail('canonical', 'the file', `not the RFC 8785 canonical form of its content${firstDifference(text, canonical)}`)
    return undefined
  }
  log.pass('canonical', 'the file', 'RFC 8785 canonical JSON')
  const shape = parseShape(value)
  if ('problem' in shape) {
    log.fail('shape', 'the bundle', shape.problem)
    return undefined
  }
  log.pass('shape', 'the bundle', 'every member present and well-formed')
  return shape.bundle
}

function firstDifference (text: string, canonical: string): string {
  let i = 0
  while (i < text.length && text[i] === canonical[i]) i++
  return ` (first difference at character ${i})`
}

function checkNodeSignature (bundle: EvidenceBundle, options: EvidenceVerifyOptions, log: CheckLog): void {
  const key = bundle.node.publisherKey
  const label = `node ${short(key)}`
  if (options.nodeKey !== undefined && options.nodeKey.toLowerCase() !== key) {
    log.fail('node-signature', label, `the bundle was made by ${key}, not the expected ${options.nodeKey.toLowerCase()}`)
  }
  const ok = verify(Buffer.from(bundle.signature, 'hex'), signedMessage(bodyOf(bundle)), Buffer.from(key, 'hex'))
  if (ok) log.pass('node-signature', label, `signature over the bundle verifies (made ${bundle.createdAt})`)
  else log.fail('node-signature', label, 'signature over the bundle does not verify: the bundle was changed after it was made, or not made by this key')
}

export function verifyEvidence (bytes: Uint8Array, options: EvidenceVerifyOptions = {}): EvidenceReport {
  const log = new CheckLog()
  const bundle = parsed(bytes, log)
  if (bundle === undefined) return { ok: false, checks: log.checks, notices: log.notices }
  checkNodeSignature(bundle, options, log)
  const batches = checkBatches(bundle, log)
  const records = checkForumRecords(bundle, log)
  checkCredentials(bundle, batches, records, log)
  checkAuditRecords(bundle, log)
  checkMatch(bundle, batches, log)
  return { ok: log.ok, node: bundle.node, createdAt: bundle.createdAt, checks: log.checks, notices: log.notices }
}
