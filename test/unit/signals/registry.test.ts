import assert from 'node:assert/strict'
import { HashmeshError } from '../../../src/errors.js'
import {
  SIGNAL_TYPES, SignalError, findSignalType, requireSignalType, signalTypeByCode
} from '../../../src/signals/registry.js'

describe('signals: registry', function () {
  it('knows md5, sha1, sha256 and pdq with their byte lengths and store codes', function () {
    assert.deepEqual(SIGNAL_TYPES.map(t => [t.name, t.length, t.code]), [
      ['md5', 16, 1], ['sha1', 20, 2], ['sha256', 32, 3], ['pdq', 32, 4]
    ])
  })

  it('has unique names and codes, and cannot be changed at run time', function () {
    assert.equal(new Set(SIGNAL_TYPES.map(t => t.name)).size, SIGNAL_TYPES.length)
    assert.equal(new Set(SIGNAL_TYPES.map(t => t.code)).size, SIGNAL_TYPES.length)
    assert.ok(Object.isFrozen(SIGNAL_TYPES))
  })

  it('finds each type by name and by code', function () {
    for (const t of SIGNAL_TYPES) {
      assert.equal(findSignalType(t.name), t)
      assert.equal(requireSignalType(t.name), t)
      assert.equal(signalTypeByCode(t.code), t)
    }
  })

  it('matches names exactly: no case folding, no trimming', function () {
    for (const name of ['MD5', 'Sha256', ' pdq', 'sha1 ', '', 'sha512', 'toString', '__proto__']) {
      assert.equal(findSignalType(name), undefined, name)
    }
  })

  it('returns undefined for an unknown code, including the unused 0', function () {
    for (const code of [0, 5, 255, -1, 1.5]) assert.equal(signalTypeByCode(code), undefined)
  })

  it('requireSignalType throws SignalError UNKNOWN_SIGNAL_TYPE for an unknown name', function () {
    assert.throws(() => requireSignalType('sha512'), (err: unknown) => {
      assert.ok(err instanceof SignalError)
      assert.ok(err instanceof HashmeshError)
      assert.equal(err.code, 'UNKNOWN_SIGNAL_TYPE')
      return true
    })
  })
})
