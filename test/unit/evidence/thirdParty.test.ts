import assert from 'node:assert/strict'
import { createHash, createPublicKey, verify as ed25519Verify } from 'node:crypto'
import canonicalize from 'canonicalize'
import { CONTENT_ID, EvidenceFixture } from './evidenceFixture.js'

/**
 * A verifier written from the README's format section alone, as a third party would: node's own
 * Ed25519 and SHA-256, a JCS library, and a few lines of protobuf field reading. None of hashmesh's
 * code is used to check the bundle, so the spec, not the implementation, is what is tested.
 */

/** Length-delimited and varint fields of one protobuf message, by field number (last wins, as protobuf reads). */
function fields (bytes: Buffer): Map<number, Buffer | bigint> {
  const out = new Map<number, Buffer | bigint>()
  let i = 0
  const varint = (): bigint => {
    let v = 0n
    for (let shift = 0n; ; shift += 7n) {
      const b = bytes[i++]!
      v |= BigInt(b & 0x7f) << shift
      if ((b & 0x80) === 0) return v
    }
  }
  while (i < bytes.length) {
    const tag = Number(varint())
    const wire = tag & 7
    if (wire === 0) out.set(tag >> 3, varint())
    else if (wire === 2) {
      const length = Number(varint())
      out.set(tag >> 3, bytes.subarray(i, i + length))
      i += length
    } else throw new Error(`wire type ${wire}`)
  }
  return out
}

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex')
const SPKI_ED25519 = Buffer.from('302a300506032b6570032100', 'hex')
const edVerify = (sig: Buffer, msg: Buffer, key: Buffer): boolean =>
  ed25519Verify(null, msg, createPublicKey({ key: Buffer.concat([SPKI_ED25519, key]), format: 'der', type: 'spki' }), sig)
const bytesField = (m: Map<number, Buffer | bigint>, n: number): Buffer => (m.get(n) as Buffer | undefined) ?? Buffer.alloc(0)

interface Bundle {
  node: { publisherKey: string }
  signature: string
  batches: Array<{ id: string, publisher: string, seq: number, signed: string }>
  forum: { roots: string[], records: Array<{ id: string, signed: string }> }
  audit: { head: { seq: number, hash: string }, records: Array<{ seq: number, hash: string, record: string }> }
}

function thirdPartyVerify (file: Buffer): string[] {
  const failures: string[] = []
  const text = file.toString('utf8')
  const bundle = JSON.parse(text) as Bundle
  if (canonicalize(bundle) !== text) return ['not canonical']
  const { signature, ...body } = bundle
  const message = Buffer.concat([Buffer.from('hashmesh-evidence/1\n', 'ascii'), Buffer.from(canonicalize(body)!, 'utf8')])
  if (!edVerify(Buffer.from(signature, 'hex'), message, Buffer.from(bundle.node.publisherKey, 'hex'))) failures.push('node signature')
  for (const b of bundle.batches) {
    const signed = fields(Buffer.from(b.signed, 'base64'))
    const bodyBytes = bytesField(signed, 1)
    const batchBody = fields(bodyBytes)
    const publisher = bytesField(batchBody, 1)
    if (sha256(bodyBytes) !== b.id) failures.push(`batch ${b.id} id`)
    if (publisher.toString('hex') !== b.publisher || batchBody.get(2) !== BigInt(b.seq)) failures.push(`batch ${b.id} publisher or seq`)
    if (!edVerify(bytesField(signed, 2), bodyBytes, publisher)) failures.push(`batch ${b.id} signature`)
  }
  for (const r of bundle.forum.records) {
    const signed = fields(Buffer.from(r.signed, 'base64'))
    const bodyBytes = bytesField(signed, 1)
    const signer = bytesField(fields(bodyBytes), 1)
    if (sha256(bodyBytes) !== r.id) failures.push(`record ${r.id} id`)
    if (!bundle.forum.roots.includes(signer.toString('hex'))) failures.push(`record ${r.id} signer`)
    if (!edVerify(bytesField(signed, 2), bodyBytes, signer)) failures.push(`record ${r.id} signature`)
  }
  let before: { seq: number, hash: string } | undefined
  for (const r of bundle.audit.records) {
    const bytes = Buffer.from(r.record, 'base64')
    const record = fields(bytes)
    if (sha256(bytes) !== r.hash || record.get(1) !== BigInt(r.seq)) failures.push(`audit ${r.seq} hash or seq`)
    if (before?.seq === r.seq - 1 && bytesField(record, 2).toString('hex') !== before.hash) failures.push(`audit ${r.seq} link`)
    if (r.seq === bundle.audit.head.seq && r.hash !== bundle.audit.head.hash) failures.push(`audit ${r.seq} head`)
    before = { seq: r.seq, hash: sha256(bytes) }
  }
  return failures
}

describe('evidence: a third party verifies a bundle from the README alone', function () {
  this.timeout(30_000)
  const f = new EvidenceFixture()
  before(async () => { await f.setup() })
  after(async () => { await f.teardown() })

  it('accepts a bundle the node made, with node:crypto and a JCS library', async () => {
    const file = Buffer.from(await f.builder.build({ contentId: CONTENT_ID }))
    const bundle = JSON.parse(file.toString()) as Bundle
    assert.ok(bundle.batches.length > 0 && bundle.forum.records.length > 0 && bundle.audit.records.length > 1)
    assert.deepEqual(thirdPartyVerify(file), [])
  })

  it('and finds the same tampering: a batch signature, an audit record', async () => {
    const bundle = JSON.parse(await f.builder.build({ contentId: CONTENT_ID })) as Bundle
    const signed = Buffer.from(bundle.batches[0]!.signed, 'base64')
    signed[signed.length - 1]! ^= 1
    bundle.batches[0]!.signed = signed.toString('base64')
    const record = Buffer.from(bundle.audit.records[0]!.record, 'base64')
    record[record.length - 2]! ^= 1
    bundle.audit.records[0]!.record = record.toString('base64')
    const failures = thirdPartyVerify(Buffer.from(canonicalize(bundle)!))
    assert.ok(failures.includes('node signature'))
    assert.ok(failures.includes(`batch ${bundle.batches[0]!.id} signature`))
    assert.ok(failures.includes(`audit ${bundle.audit.records[0]!.seq} hash or seq`))
  })
})
