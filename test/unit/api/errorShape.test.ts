import assert from 'node:assert/strict'
import { once } from 'node:events'
import { type AddressInfo, type Socket, connect } from 'node:net'
import type { FastifyInstance } from 'fastify'
import fc from 'fast-check'
import { answerClientError } from '../../../src/api/clientErrors.js'
import { MAX_PARAM_CHARS } from '../../../src/api/limits.js'
import { silentLogger } from '../../../src/logger.js'
import { LiveNode } from '../../helpers/liveNode.js'
import { testServer } from './testServer.js'
import { throwingNode } from './throwingNode.js'

const TOKEN = 'd00d'.repeat(16)

/** The documented error body, and nothing else in it. */
function assertErrorShape (status: number, text: string, context: string): { code: string, message: string } {
  let body: unknown
  assert.doesNotThrow(() => { body = JSON.parse(text) }, `${context} → ${status}: not JSON: ${text.slice(0, 200)}`)
  const error = (body as { error?: unknown }).error as Record<string, unknown> | undefined
  assert.deepEqual(Object.keys(body as object), ['error'], `${context} → ${status} ${text.slice(0, 200)}`)
  assert.equal(typeof error?.code, 'string', `${context} → ${status} ${text.slice(0, 200)}`)
  assert.equal(typeof error?.message, 'string', `${context} → ${status} ${text.slice(0, 200)}`)
  return error as { code: string, message: string }
}

interface RawReply { status: number, headers: string, body: string, closed: boolean }

/** Sends bytes on a fresh connection and reads until the server closes it (or a reply is complete). */
async function sendRaw (port: number, bytes: string | Buffer): Promise<RawReply> {
  return await new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1')
    let data = ''
    socket.setTimeout(5_000, () => { socket.destroy(); reject(new Error(`no reply to ${JSON.stringify(bytes.toString().slice(0, 80))}`)) })
    socket.on('data', d => { data += d.toString('latin1') })
    socket.on('error', () => {})
    socket.on('close', () => {
      const end = data.indexOf('\r\n\r\n')
      resolve({ status: Number(data.slice(9, 12)), headers: data.slice(0, end), body: data.slice(end + 4), closed: true })
    })
    socket.end(bytes)
  })
}

describe('api: every error in one shape', () => {
  let live: LiveNode
  let app: FastifyInstance
  let port: number

  before(async () => {
    live = await LiveNode.start()
    app = testServer(live.node, { adminToken: TOKEN })
    await app.listen({ host: '127.0.0.1', port: 0 })
    port = (app.server.address() as AddressInfo).port
  })
  after(async () => {
    await app.close()
    await live.stop()
  })

  it(`414 URL_TOO_LONG for a path parameter over ${MAX_PARAM_CHARS} characters, without echoing it`, async () => {
    const res = await app.inject({ method: 'GET', url: `/v1/lookup/md5/${'a'.repeat(300)}` })
    assert.equal(res.statusCode, 414)
    const error = assertErrorShape(res.statusCode, res.body, 'long param')
    assert.equal(error.code, 'URL_TOO_LONG')
    assert.ok(!error.message.includes('aaaa'), error.message)
  })

  it('400 INVALID_REQUEST for a URL that is not validly percent-encoded', async () => {
    const res = await app.inject({ method: 'GET', url: '/v1/lookup/md5/%zz' })
    assert.equal(res.statusCode, 400)
    assert.equal(assertErrorShape(res.statusCode, res.body, 'bad escape').code, 'INVALID_REQUEST')
  })

  for (const [name, raw, status, code] of [
    ['a malformed request line', 'GARBAGE\r\n\r\n', 400, 'BAD_REQUEST'],
    ['a bad Content-Length', 'POST /v1/lookup HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n', 400, 'BAD_REQUEST'],
    ['a header without a colon', 'GET /healthz HTTP/1.1\r\nHost x\r\n\r\n', 400, 'BAD_REQUEST'],
    ['an HTTP/1.1 request without Host', 'GET /healthz HTTP/1.1\r\n\r\n', 400, 'BAD_REQUEST'],
    ['an Expect other than 100-continue', 'GET /healthz HTTP/1.1\r\nHost: x\r\nExpect: tea\r\nConnection: close\r\n\r\n', 417, 'EXPECTATION_FAILED'],
    ['headers over the size limit', `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Junk: ${'b'.repeat(20_000)}\r\n\r\n`, 431, 'HEADERS_TOO_LARGE']
  ] as const) {
    it(`${status} ${code} for ${name}, as HTTP/1.1 with the JSON body, then the connection is closed`, async () => {
      const reply = await sendRaw(port, raw)
      assert.equal(reply.status, status, reply.headers)
      assert.match(reply.headers, /^content-type: application\/json/im)
      if (status !== 417) assert.match(reply.headers, /^connection: close$/im)
      assert.match(reply.headers, new RegExp(`^content-length: ${Buffer.byteLength(reply.body)}$`, 'im'))
      assert.equal(assertErrorShape(reply.status, reply.body, name).code, code)
    })
  }

  it('408 REQUEST_TIMEOUT in the shape when Node times a request out (the timeout is minutes: a stand-in socket)', () => {
    let written = ''
    let destroyed = false
    const socket = { destroyed: false, writable: true, write: (text: string) => { written += text }, destroy: () => { destroyed = true } }
    answerClientError(Object.assign(new Error('timeout'), { code: 'ERR_HTTP_REQUEST_TIMEOUT' }), socket as unknown as Socket, silentLogger())
    assert.match(written, /^HTTP\/1\.1 408 Request Timeout\r\n/)
    assert.equal(assertErrorShape(408, written.slice(written.indexOf('\r\n\r\n') + 4), 'timeout').code, 'REQUEST_TIMEOUT')
    assert.ok(destroyed)
  })

  it('HTTP/1.0 needs no Host header', async () => {
    assert.equal((await sendRaw(port, 'GET /healthz HTTP/1.0\r\n\r\n')).status, 200)
  })

  it('every non-2xx answer to junk paths and content types has the error shape (property)', async () => {
    const pathChar = fc.constantFrom(...'abz09/%._-~:@!$&\'()*+,;=?#[]'.split(''), '%zz', '%E0%A4%A', 'é', '\u0000')
    const path = fc.oneof(
      fc.array(pathChar, { maxLength: 60 }).map(cs => `/v1/${cs.join('')}`),
      fc.tuple(fc.constantFrom('/v1/lookup/md5/', '/v1/equivocations/', '/v1/allowlist/md5/'), fc.integer({ min: 0, max: 600 }), pathChar)
        .map(([p, n, c]) => `${p}${c.repeat(n)}`)
    )
    const contentType = fc.oneof(
      fc.constantFrom('image/png; x=1', 'application/json', 'text/plain', 'application/octet-stream; charset=binary', '/', ';;', 'image/'),
      fc.string({ maxLength: 40 })
    )
    await fc.assert(fc.asyncProperty(path, fc.constantFrom('GET', 'POST', 'DELETE', 'PUT'), contentType, async (url, method, type) => {
      const res = await app.inject({ method, url, headers: { 'content-type': type }, payload: method === 'GET' ? undefined : 'x' })
      if (res.statusCode >= 300) assertErrorShape(res.statusCode, res.body, `${method} ${url} (${type})`)
    }), { numRuns: 500 })
  })

  it('every non-2xx answer to junk on the socket has the error shape (property)', async () => {
    const line = fc.oneof(
      fc.string({ maxLength: 80 }),
      fc.tuple(fc.constantFrom('GET', 'POST', 'get', 'BREW', ''), fc.string({ maxLength: 40 }), fc.constantFrom('HTTP/1.1', 'HTTP/1.0', 'HTTP/9.9', 'http', ''))
        .map(parts => parts.join(' '))
    )
    const header = fc.oneof(
      fc.constantFrom('Host: x', 'Content-Length: 5', 'Content-Length: -1', 'Transfer-Encoding: chunked', 'Content-Type: image/png; x=1'),
      fc.string({ maxLength: 40 })
    )
    await fc.assert(fc.asyncProperty(line, fc.array(header, { maxLength: 4 }), async (requestLine, headers) => {
      const raw = `${requestLine}\r\n${headers.map(h => `${h}\r\n`).join('')}\r\n`
      const reply = await sendRaw(port, raw)
      if (reply.status >= 300) assertErrorShape(reply.status, reply.body, JSON.stringify(raw))
    }), { numRuns: 150 })
  })
})

describe('api: a request while the server closes', () => {
  it('503 SHUTTING_DOWN in the error shape, with Retry-After, on a kept-alive connection', async () => {
    let release = (): void => {}
    let statusCalled = (): void => {}
    const called = new Promise<void>(resolve => { statusCalled = resolve })
    // The first request's answer does not matter (this node only throws): that it is in flight does.
    const node = throwingNode(new Error('first request'), async () => {
      statusCalled()
      await new Promise<void>(resolve => { release = resolve })
    })
    const app = testServer(node, { adminToken: TOKEN })
    await app.listen({ host: '127.0.0.1', port: 0 })
    const socket = connect((app.server.address() as AddressInfo).port, '127.0.0.1')
    let data = ''
    socket.on('data', d => { data += d.toString() })
    const closed = new Promise(resolve => socket.on('close', resolve))
    // The first request holds the connection busy, so closing the server cannot drop it as idle.
    socket.write('GET /v1/status HTTP/1.1\r\nHost: x\r\n\r\n')
    await called
    const closing = app.close()
    const secondArrived = once(app.server, 'request')
    socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n')
    await secondArrived
    release()
    await closing
    await closed
    const second = data.slice(data.indexOf('HTTP/1.1', 1))
    assert.match(second, /^HTTP\/1\.1 503 /, data)
    assert.match(second, /^retry-after: 1$/im)
    const body = second.slice(second.indexOf('\r\n\r\n') + 4)
    assert.equal(assertErrorShape(503, body, 'request while closing').code, 'SHUTTING_DOWN')
  })
})
