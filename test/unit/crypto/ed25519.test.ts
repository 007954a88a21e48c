import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import * as ed from '@noble/ed25519'
import { SECRET_KEY_BYTES, generateSecretKey, publicKeyOf, sign, verify } from '../../../src/crypto/ed25519.js'

interface Vector { name: string, secretKey: string, publicKey: string, message: string, signature: string }

const { vectors } = JSON.parse(readFileSync(new URL('./rfc8032-vectors.json', import.meta.url), 'utf8')) as { vectors: Vector[] }

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'hex'))
const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex')

function flipBit (bytes: Uint8Array, bit: number): Uint8Array {
  const copy = Uint8Array.from(bytes)
  copy[bit >> 3]! ^= 1 << (bit & 7)
  return copy
}

/** Group order L of Ed25519. */
const L = 2n ** 252n + 27742317777372353535851937790883648493n

function leToBigInt (bytes: Uint8Array): bigint {
  return bytes.reduceRight((acc, b) => (acc << 8n) | BigInt(b), 0n)
}

function bigIntToLe (n: bigint, length: number): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => Number((n >> BigInt(8 * i)) & 0xffn))
}

describe('crypto: ed25519', function () {
  const secretKey = generateSecretKey()
  const publicKey = publicKeyOf(secretKey)
  const message = new TextEncoder().encode('hashmesh batch body bytes')
  const signature = sign(message, secretKey)

  it('generates 32-byte secret keys, 32-byte public keys and 64-byte signatures', function () {
    assert.equal(secretKey.length, SECRET_KEY_BYTES)
    assert.equal(publicKey.length, 32)
    assert.equal(signature.length, 64)
    assert.notDeepEqual(generateSecretKey(), secretKey)
  })

  it('verifies what it signs', function () {
    assert.equal(verify(signature, message, publicKey), true)
    assert.equal(verify(sign(new Uint8Array(0), secretKey), new Uint8Array(0), publicKey), true)
  })

  it('signs deterministically (RFC 8032: no per-signature randomness)', function () {
    assert.deepEqual(sign(message, secretKey), signature)
  })

  it('fails when any single bit of the message is flipped', function () {
    for (let bit = 0; bit < message.length * 8; bit += 3) {
      assert.equal(verify(signature, flipBit(message, bit), publicKey), false, `message bit ${bit}`)
    }
  })

  it('fails when any single bit of the public key is flipped', function () {
    for (let bit = 0; bit < 256; bit++) {
      assert.equal(verify(signature, message, flipBit(publicKey, bit)), false, `public key bit ${bit}`)
    }
  })

  it('fails when any single bit of the signature is flipped', function () {
    for (let bit = 0; bit < 512; bit++) {
      assert.equal(verify(flipBit(signature, bit), message, publicKey), false, `signature bit ${bit}`)
    }
  })

  it('fails under another key', function () {
    assert.equal(verify(signature, message, publicKeyOf(generateSecretKey())), false)
  })

  it('returns false, never throws, for malformed signature and key lengths', function () {
    for (const len of [0, 32, 63, 65, 128]) {
      assert.equal(verify(new Uint8Array(len), message, publicKey), false, `signature of ${len} bytes`)
    }
    for (const len of [0, 31, 33, 64]) {
      assert.equal(verify(signature, message, new Uint8Array(len).fill(9)), false, `public key of ${len} bytes`)
    }
  })

  it('returns false for a public key that is not a curve point', function () {
    const notAPoint = new Uint8Array(32)
    notAPoint[0] = 2
    assert.throws(() => ed.Point.fromBytes(notAPoint), 'y = 2 must not decode, or this test proves nothing')
    assert.equal(verify(signature, message, notAPoint), false)
  })

  it('rejects a malleated signature with S + L in place of S', function () {
    const s = leToBigInt(signature.subarray(32))
    const malleated = Uint8Array.from([...signature.subarray(0, 32), ...bigIntToLe(s + L, 32)])
    assert.equal(verify(malleated, message, publicKey), false)
  })

  it('is strict RFC 8032, not ZIP-215: a small-order public key verifies nothing', function () {
    // A = identity, R = identity, S = 0 satisfies the cofactored equation for every message.
    const identity = new Uint8Array(32)
    identity[0] = 1
    const forged = Uint8Array.from([...identity, ...new Uint8Array(32)])
    assert.equal(ed.verify(forged, message, identity), true, 'the ZIP-215 default would accept it')
    assert.equal(verify(forged, message, identity), false)
  })

  describe('RFC 8032 section 7.1 test vectors', function () {
    assert.equal(vectors.length, 3)
    for (const v of vectors) {
      it(`${v.name}: public key, signature and verification byte-exact`, function () {
        assert.equal(toHex(publicKeyOf(hex(v.secretKey))), v.publicKey)
        assert.equal(toHex(sign(hex(v.message), hex(v.secretKey))), v.signature)
        assert.equal(verify(hex(v.signature), hex(v.message), hex(v.publicKey)), true)
        assert.equal(verify(hex(v.signature), Uint8Array.from([...hex(v.message), 0]), hex(v.publicKey)), false)
      })
    }
  })
})
