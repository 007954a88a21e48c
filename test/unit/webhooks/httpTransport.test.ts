import assert from 'node:assert/strict'
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { httpTransport } from '../../../src/webhooks/httpTransport.js'
import { DeliveryFailure, type HookRequest } from '../../../src/webhooks/transport.js'
import { waitFor } from '../../helpers/waitFor.js'

type Handler = (req: IncomingMessage, res: ServerResponse) => void

async function listen (handler: Handler): Promise<{ server: Server, url: string }> {
  const server = createServer(handler)
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }
}

function request (url: string, overrides: Partial<HookRequest> = {}): HookRequest {
  return {
    url,
    headers: { 'content-type': 'application/json', 'x-hashmesh-event-id': 'evt_1' },
    body: new TextEncoder().encode('{"id":"evt_1"}'),
    timeoutMs: 5_000,
    maxResponseBytes: 1024 * 1024,
    signal: new AbortController().signal,
    ...overrides
  }
}

function failsWith (code: string): (err: unknown) => boolean {
  return err => err instanceof DeliveryFailure && err.code === code
}

describe('webhooks: HTTP transport (real local server)', function () {
  const servers: Server[] = []
  afterEach(async function () {
    for (const s of servers.splice(0)) {
      s.closeAllConnections()
      await new Promise(resolve => s.close(resolve))
    }
  })

  async function receiver (handler: Handler): Promise<string> {
    const { server, url } = await listen(handler)
    servers.push(server)
    return url
  }

  it('POSTs the body and headers and answers the status', async function () {
    let got: { method?: string, headers?: IncomingMessage['headers'], body?: string } = {}
    const url = await receiver((req, res) => {
      let body = ''
      req.on('data', (d: Buffer) => { body += d.toString() })
      req.on('end', () => {
        got = { method: req.method, headers: req.headers, body }
        res.writeHead(202).end('ok')
      })
    })
    assert.deepEqual(await httpTransport(request(`${url}/hook?x=1`)), { status: 202 })
    assert.equal(got.method, 'POST')
    assert.equal(got.body, '{"id":"evt_1"}')
    assert.equal(got.headers?.['x-hashmesh-event-id'], 'evt_1')
    assert.equal(got.headers?.['content-length'], '14')
  })

  it('never follows a redirect: a 3xx is answered as it is, and its target is never called', async function () {
    let targetCalls = 0
    const target = await receiver((_req, res) => { targetCalls++; res.end() })
    const url = await receiver((_req, res) => { res.writeHead(307, { location: target }).end() })
    assert.deepEqual(await httpTransport(request(url)), { status: 307 })
    assert.equal(targetCalls, 0)
  })

  it('gives up after the timeout when the receiver never answers', async function () {
    const url = await receiver(() => { /* never answers */ })
    await assert.rejects(httpTransport(request(url, { timeoutMs: 200 })), failsWith('TIMEOUT'))
  })

  it('reads at most maxResponseBytes of an endless answer, then drops the connection', async function () {
    let closed = false
    let sent = 0
    const url = await receiver((_req, res) => {
      res.writeHead(200)
      const chunk = Buffer.alloc(64 * 1024, 0x61)
      const pump = (): void => {
        while (!closed && res.write(chunk)) sent += chunk.length
        if (!closed) res.once('drain', pump)
      }
      res.on('close', () => { closed = true })
      pump()
    })
    assert.deepEqual(await httpTransport(request(url, { maxResponseBytes: 256 * 1024 })), { status: 200 })
    await waitFor('the receiver to see its connection dropped', async () => closed)
    assert.ok(sent < 64 * 1024 * 1024, `the node stopped reading (the receiver wrote ${sent} bytes)`)
  })

  it('reports a refused connection as NETWORK, and an abort (the node stopping) as ABORTED', async function () {
    const { server, url } = await listen(() => {})
    await new Promise(resolve => server.close(resolve))
    await assert.rejects(httpTransport(request(url)), failsWith('NETWORK'))

    const hanging = await receiver(() => {})
    const abort = new AbortController()
    const pending = httpTransport(request(hanging, { signal: abort.signal }))
    abort.abort()
    await assert.rejects(pending, failsWith('ABORTED'))
  })
})
