import { HashmeshError } from '../errors.js'

/**
 * USAGE: the command line is wrong (missing token, bad URL). BAD_INPUT: the input file is wrong.
 * NODE_UNREACHABLE: no node answers (no node.json, connection refused, timeout).
 * PUBLISH_INCOMPLETE: some batches were published before a failure (the cause says which).
 */
export type CliErrorCode = 'USAGE' | 'BAD_INPUT' | 'NODE_UNREACHABLE' | 'PUBLISH_INCOMPLETE'

export class CliError extends HashmeshError<CliErrorCode> {
  /** Extra fields for the `--json` error document (e.g. the batches already published). */
  readonly details: Readonly<Record<string, unknown>>

  constructor (code: CliErrorCode, message: string, options?: { cause?: unknown, details?: Record<string, unknown> }) {
    super(code, message, options)
    this.details = options?.details ?? {}
  }
}

/** The node answered with an error; `code` is the node's own error code, `reason` its finer cause when it gave one. */
export class NodeResponseError extends HashmeshError {
  readonly status: number
  readonly reason: string | undefined

  constructor (status: number, code: string, message: string, reason?: string) {
    super(code, message)
    this.status = status
    this.reason = reason
  }
}
