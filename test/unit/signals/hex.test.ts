import assert from 'node:assert/strict'
import { parseHexBytes, parseSignalValue, toHex } from '../../../src/signals/hex.js'
import { SIGNAL_TYPES, SignalError, type SignalErrorCode } from '../../../src/signals/registry.js'

function throwsSignal (fn: () => unknown, code: SignalErrorCode): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof SignalError, `expected a SignalError, got ${String(err)}`)
    assert.equal(err.code, code)
    return true
  })
}

const MD5_EMPTY = 'd41d8cd98f00b204e9800998ecf8427e'

describe('signals: hex', function () {
  describe('parseSignalValue', function () {
    it('parses lowercase, uppercase and mixed-case hex to the same bytes', function () {
      const expected = Buffer.from(MD5_EMPTY, 'hex')
      for (const hex of [MD5_EMPTY, MD5_EMPTY.toUpperCase(), 'D41d8CD98f00B204e9800998ECF8427e']) {
        const { type, value } = parseSignalValue('md5', hex)
        assert.equal(type.name, 'md5')
        assert.deepEqual(Buffer.from(value), expected)
      }
    })

    for (const t of SIGNAL_TYPES) {
      it(`${t.name}: accepts ${t.length * 2} hex characters, rejects one fewer or one more (BAD_SIGNAL_VALUE)`, function () {
        const hex = 'ab'.repeat(t.length)
        assert.equal(parseSignalValue(t.name, hex).value.length, t.length)
        throwsSignal(() => parseSignalValue(t.name, hex.slice(1)), 'BAD_SIGNAL_VALUE')
        throwsSignal(() => parseSignalValue(t.name, hex + 'a'), 'BAD_SIGNAL_VALUE')
        throwsSignal(() => parseSignalValue(t.name, hex.slice(2)), 'BAD_SIGNAL_VALUE')
        throwsSignal(() => parseSignalValue(t.name, hex + 'ab'), 'BAD_SIGNAL_VALUE')
      })
    }

    for (const [what, hex] of [
      ['a non-hex letter', 'g' + MD5_EMPTY.slice(1)],
      ['a 0x prefix', '0x' + MD5_EMPTY.slice(2)],
      ['surrounding spaces', ' ' + MD5_EMPTY.slice(2) + ' '],
      ['a minus sign', '-' + MD5_EMPTY.slice(1)],
      ['non-ASCII', 'é' + MD5_EMPTY.slice(1)],
      ['an empty string', '']
    ] as const) {
      it(`rejects ${what} (BAD_SIGNAL_VALUE)`, function () {
        throwsSignal(() => parseSignalValue('md5', hex), 'BAD_SIGNAL_VALUE')
      })
    }

    it('rejects an unknown type before looking at the value (UNKNOWN_SIGNAL_TYPE)', function () {
      throwsSignal(() => parseSignalValue('sha512', MD5_EMPTY), 'UNKNOWN_SIGNAL_TYPE')
      throwsSignal(() => parseSignalValue('MD5', MD5_EMPTY), 'UNKNOWN_SIGNAL_TYPE')
    })
  })

  describe('toHex', function () {
    it('gives lowercase hex, two characters per byte', function () {
      assert.equal(toHex(new Uint8Array([0x00, 0x0f, 0xab, 0xff])), '000fabff')
      assert.equal(toHex(new Uint8Array(0)), '')
    })

    it('encodes only the bytes of a view, not the whole underlying buffer', function () {
      const whole = new Uint8Array([1, 2, 3, 4, 5, 6])
      assert.equal(toHex(whole.subarray(2, 4)), '0304')
    })

    it('round-trips with parseHexBytes', function () {
      const bytes = Uint8Array.from({ length: 32 }, (_, i) => i * 7)
      assert.deepEqual(Buffer.from(parseHexBytes(toHex(bytes), 32)!), Buffer.from(bytes))
    })
  })

  describe('parseHexBytes', function () {
    it('parses exactly the requested length, in either case', function () {
      assert.deepEqual(Buffer.from(parseHexBytes('00FFaa', 3)!), Buffer.from([0, 0xff, 0xaa]))
      assert.equal(parseHexBytes('', 0)?.length, 0)
    })

    it('returns undefined for a wrong length or non-hex, never throws', function () {
      for (const [hex, len] of [['00ff', 3], ['00ffaa00', 3], ['00f', 2], ['zz', 1], ['0x00', 2], [' 00', 2], ['00 ', 2]] as const) {
        assert.equal(parseHexBytes(hex, len), undefined, `${JSON.stringify(hex)} as ${len} bytes`)
      }
    })
  })
})
