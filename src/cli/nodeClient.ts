import type { ContentLookupQuery, EntryInput, EquivocationDecision, EquivocationInfo, LookupResult, MatchResult, NodeStatus,
  PublishResult, Recorded } from '../node/interface.js'
import { ADMIN_TOKEN_FIX, type Access, READ_TOKEN_FIX } from './clientToken.js'
import { CliError, NodeResponseError } from './errors.js'
import { AnswerTooLargeError, type HttpAnswer, sendRequest } from './httpRequest.js'

/**
 * Publishing 10,000 entries signs, stores and gossips them; generous, so that a slow disk is not
 * mistaken for a dead node.
 */
export const REQUEST_TIMEOUT_MS = 120_000

/** Far above any JSON answer of the API (a lookup of 1,000 hashes, an audit log page), far below harm. */
export const MAX_ANSWER_BYTES = 64 * 1024 * 1024

export interface NodeTarget {
  url: string
  token?: string
  /** Where the token came from (`--token-file F`, $HASHMESH_TOKEN, a data dir file), named when the node refuses it. */
  tokenSource?: string
  /** What the command needs; a refusal then says which token to pass. */
  access?: Access
  /** Sent as X-Hashmesh-Actor: who the node's audit log records for an administrative act. */
  actor?: string
}

/** The HTTP API as seen from the CLI, with transport failures and error bodies turned into typed errors. */
export class NodeClient {
  private readonly target: NodeTarget

  constructor (target: NodeTarget) {
    this.target = target
  }

  /** With `contentId`, a match is recorded in the node's match log and the answer carries its `matchId`. */
  async lookup (type: string, value: string, maxDistance?: number, contentId?: string): Promise<Recorded<LookupResult>> {
    const params = new URLSearchParams()
    if (maxDistance !== undefined) params.set('maxDistance', String(maxDistance))
    if (contentId !== undefined) params.set('contentId', contentId)
    const query = params.size === 0 ? '' : `?${params.toString()}`
    return await this.request<LookupResult>('GET', `/v1/lookup/${encodeURIComponent(type)}/${encodeURIComponent(value)}${query}`)
  }

  async lookupMany (queries: readonly ContentLookupQuery[]): Promise<Array<Recorded<LookupResult>>> {
    return (await this.request<{ results: LookupResult[] }>('POST', '/v1/lookup', { queries, matches: true })).results
  }

  /** Uploads a file for the node to hash and match (POST /v1/match). */
  async match (file: Uint8Array, contentType = 'application/octet-stream'): Promise<MatchResult> {
    return await this.request<MatchResult>('POST', '/v1/match', file, contentType)
  }

  async status (): Promise<NodeStatus> {
    return await this.request<NodeStatus>('GET', '/v1/status')
  }

  async publish (entries: readonly EntryInput[]): Promise<PublishResult> {
    return await this.request<PublishResult>('POST', '/v1/batches', { entries })
  }

  async equivocations (): Promise<EquivocationInfo[]> {
    return (await this.request<{ equivocations: EquivocationInfo[] }>('GET', '/v1/equivocations')).equivocations
  }

  async decide (publisher: string, decision: EquivocationDecision): Promise<EquivocationInfo> {
    return await this.request<EquivocationInfo>('POST', `/v1/equivocations/${encodeURIComponent(publisher)}/decision`, { decision })
  }

  /** Any API call, for commands whose routes have no method here. */
  async call<T> (method: string, path: string, body?: unknown): Promise<T> {
    return await this.request<T>(method, path, body)
  }

  /** A Uint8Array body is sent as is with `contentType`; anything else as JSON. */
  private async request<T> (method: string, path: string, body?: unknown, contentType?: string): Promise<T> {
    const headers: Record<string, string> = {}
    const raw = body instanceof Uint8Array
    if (body !== undefined) headers['content-type'] = raw ? contentType ?? 'application/octet-stream' : 'application/json'
    if (this.target.token !== undefined) headers.authorization = `Bearer ${this.target.token}`
    if (this.target.actor !== undefined) headers['x-hashmesh-actor'] = this.target.actor
    const signal = AbortSignal.timeout(REQUEST_TIMEOUT_MS)
    let res: HttpAnswer
    try {
      res = await sendRequest(`${this.target.url}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : raw ? body : JSON.stringify(body),
        signal,
        maxAnswerBytes: MAX_ANSWER_BYTES
      })
    } catch (err) {
      if (err instanceof AnswerTooLargeError) {
        throw new NodeResponseError(err.status, 'BAD_RESPONSE', `${this.target.url} answered more than ${MAX_ANSWER_BYTES} bytes; is it a hashmesh node?`)
      }
      throw new CliError('NODE_UNREACHABLE', `cannot reach the node at ${this.target.url}: ${transportReason(err, signal.aborted)}`, { cause: err })
    }
    const ok = res.status >= 200 && res.status < 300
    const answer = parseJson(res.text)
    if (res.status === 401 && this.target.access !== undefined) throw refusedToken(this.target, this.target.access)
    if (!ok) throw responseError(res.status, res.text)
    if (answer === undefined) throw new NodeResponseError(res.status, 'BAD_RESPONSE', `${this.target.url} did not answer JSON; is it a hashmesh node?`)
    return answer as T
  }
}

/** Why a request got no answer: its timeout, or the socket's code (fetch hides it one level down, in its cause). */
export function transportReason (err: unknown, timedOut: boolean): string {
  if (timedOut) return `no answer within ${REQUEST_TIMEOUT_MS / 1000} s`
  const code = (err as { code?: unknown }).code ?? (err as { cause?: { code?: unknown } }).cause?.code
  if (typeof code === 'string') return code
  return err instanceof Error ? err.message : String(err)
}

function parseJson (text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

/** The node's own 401 names HTTP headers; the CLI's user needs to hear which token and which option. Code first, as below. */
export function refusedToken (target: NodeTarget, access: Access): NodeResponseError {
  const sent = target.tokenSource === undefined ? 'no token was sent' : `the token from ${target.tokenSource} was refused`
  const message = access === 'admin'
    ? `UNAUTHORIZED: this command needs the node's admin token; ${sent} (a read token only opens lookups and reports): ${ADMIN_TOKEN_FIX}`
    : `UNAUTHORIZED: the node needs a token for reads; ${sent}: ${READ_TOKEN_FIX}`
  return new NodeResponseError(401, 'UNAUTHORIZED', message)
}

/**
 * The API's `{ error: { code, message, reason? } }`, or just the status from something else (a
 * proxy). The code leads the message, so that the one line a person reads names it too.
 */
export function responseError (status: number, text: string): NodeResponseError {
  const error = (parseJson(text) as { error?: { code?: unknown, message?: unknown, reason?: unknown } } | undefined)?.error
  if (typeof error?.code === 'string') {
    const reason = typeof error.reason === 'string' ? error.reason : undefined
    return new NodeResponseError(status, error.code, `node: ${error.code}: ${String(error.message)}`, reason)
  }
  return new NodeResponseError(status, `HTTP_${status}`, `node answered HTTP ${status}`)
}
