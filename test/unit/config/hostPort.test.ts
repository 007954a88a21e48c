import assert from 'node:assert/strict'
import { formatHostPort, parseHostPort } from '../../../src/config/hostPort.js'

describe('config: HOST:PORT', () => {
  it('parses names, IPv4 and bracketed IPv6', () => {
    assert.deepEqual(parseHostPort('localhost:8080'), { host: 'localhost', port: 8080 })
    assert.deepEqual(parseHostPort(' 0.0.0.0:0 '), { host: '0.0.0.0', port: 0 })
    assert.deepEqual(parseHostPort('[::1]:9000'), { host: '::1', port: 9000 })
  })

  it('leaves the range to the schema but refuses a wrong shape', () => {
    assert.deepEqual(parseHostPort('h:70000'), { host: 'h', port: 70000 })
    for (const bad of ['localhost', ':8080', 'h:', 'h:80a', '::1:8080', '[::1]8080', 'h:-1']) {
      assert.equal(parseHostPort(bad), undefined, bad)
    }
  })

  it('formats back, bracketing IPv6', () => {
    assert.equal(formatHostPort('127.0.0.1', 80), '127.0.0.1:80')
    assert.equal(formatHostPort('::1', 80), '[::1]:80')
  })
})
