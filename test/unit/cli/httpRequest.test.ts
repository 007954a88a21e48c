import assert from 'node:assert/strict'
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { AnswerTooLargeError, sendRequest } from '../../../src/cli/httpRequest.js'

describe('cli: one HTTP call to a node (node:http, not fetch)', () => {
  let server: Server
  let url: string
  let handle: (req: IncomingMessage, res: ServerResponse) => void

  beforeEach(async () => {
    server = createServer((req, res) => { handle(req, res) })
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  afterEach(async () => {
    server.closeAllConnections()
    await new Promise(resolve => server.close(resolve))
  })

  const call = (maxAnswerBytes = 1024, body?: Uint8Array): Parameters<typeof sendRequest>[1] =>
    ({ method: body === undefined ? 'GET' : 'POST', headers: { 'x-test': 'yes' }, body, signal: AbortSignal.timeout(5000), maxAnswerBytes })

  it('sends the method, headers and a byte body with its length; returns status and text', async () => {
    handle = (req, res) => {
      const pieces: Buffer[] = []
      req.on('data', (d: Buffer) => pieces.push(d))
      req.on('end',
        () => { res.writeHead(201).end(JSON.stringify([req.method, req.headers['x-test'], req.headers['content-length'], Buffer.concat(pieces).toString()])) })
    }
    const answer = await sendRequest(`${url}/v1/x`, call(1024, Buffer.from('four')))
    assert.deepEqual(answer, { status: 201, text: JSON.stringify(['POST', 'yes', '4', 'four']) })
  })

  it('refuses an answer past the limit, keeping the status', async () => {
    handle = (_req, res) => { res.writeHead(200).end('x'.repeat(2048)) }
    await assert.rejects(sendRequest(url, call(1024)), (err: unknown) => err instanceof AnswerTooLargeError && err.status === 200)
    assert.equal((await sendRequest(url, call(2048))).text.length, 2048)
  })

  it('rejects with the socket error code when nothing listens, and with the abort when the signal fires', async () => {
    await assert.rejects(sendRequest('http://127.0.0.1:1/', call()), { code: 'ECONNREFUSED' })
    handle = () => {}
    const signal = AbortSignal.timeout(50)
    await assert.rejects(sendRequest(url, { ...call(), signal }))
    assert.equal(signal.aborted, true)
  })
})
