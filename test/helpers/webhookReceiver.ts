import { createHmac } from 'node:crypto'
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface Delivery { id: string, type: string, body: string, status: number }

/**
 * A platform's receiver, as a platform would write it: it checks the signature with node:crypto
 * (t=<unix>,v1=<hex HMAC-SHA256(secret, t + "." + body)>) and refuses what does not verify.
 * `failFirst` answers 500 to the first n attempts of each event.
 */
export class Receiver {
  readonly deliveries: Delivery[] = []
  readonly badSignatures: string[] = []
  failFirst = 0
  /** Take requests but never answer them: the node's side sees a delivery in flight. */
  hold = false
  port = 0
  private server: Server | undefined
  private readonly secret: string

  constructor (secret: string) {
    this.secret = secret
  }

  async listen (): Promise<void> {
    this.server = createServer((req, res) => { this.handle(req, res) })
    await new Promise<void>(resolve => this.server!.listen(this.port, '127.0.0.1', resolve))
    this.port = (this.server.address() as AddressInfo).port
  }

  async close (): Promise<void> {
    this.server?.closeAllConnections()
    await new Promise(resolve => this.server?.close(resolve))
  }

  get url (): string {
    return `http://127.0.0.1:${this.port}/hashmesh`
  }

  /** Distinct event ids answered 2xx. */
  delivered (): Set<string> {
    return new Set(this.deliveries.filter(d => d.status === 200).map(d => d.id))
  }

  private handle (req: IncomingMessage, res: ServerResponse): void {
    let body = ''
    req.on('data', (d: Buffer) => { body += d.toString() })
    req.on('end', () => {
      const header = String(req.headers['x-hashmesh-signature'])
      const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header)
      if (m === null || createHmac('sha256', this.secret).update(`${m[1]}.${body}`).digest('hex') !== m[2]) {
        this.badSignatures.push(header)
        res.writeHead(401).end()
        return
      }
      const id = String(req.headers['x-hashmesh-event-id'])
      if (this.hold) {
        this.deliveries.push({ id, type: String(req.headers['x-hashmesh-event-type']), body, status: 0 })
        return
      }
      const seen = this.deliveries.filter(d => d.id === id).length
      const status = seen < this.failFirst ? 500 : 200
      this.deliveries.push({ id, type: String(req.headers['x-hashmesh-event-type']), body, status })
      res.writeHead(status).end()
    })
  }
}
