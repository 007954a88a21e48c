import { HashmeshError } from '../errors.js'

/** One POST to a receiver. */
export interface HookRequest {
  url: string
  headers: Record<string, string>
  body: Uint8Array
  /** From the request's start to the end of the response (or the cap). */
  timeoutMs: number
  /** Response bytes read at most; then the connection is dropped. */
  maxResponseBytes: number
  /** Aborted when the node stops. */
  signal: AbortSignal
}

/** The status decides; the response body is read (up to the cap) only to let the receiver finish, never used. */
export interface HookResponse { status: number }

export type DeliveryFailureCode =
  /** No complete answer within the timeout. */
  | 'TIMEOUT'
  /** Connection refused, reset, DNS failure, TLS failure. */
  | 'NETWORK'
  /** The node is stopping. */
  | 'ABORTED'

export class DeliveryFailure extends HashmeshError<DeliveryFailureCode> {}

/** How a delivery reaches a receiver: node:http(s) in the node, a fake in unit tests of the deliverer. */
export type HookTransport = (request: HookRequest) => Promise<HookResponse>
