import { CommanderError } from 'commander'
import { ConfigError } from '../config/configError.js'
import { LookupError } from '../lookup/lookupError.js'
import { MatchLogError } from '../matches/matchError.js'
import { SignalError } from '../signals/registry.js'
import { CliError, NodeResponseError } from './errors.js'
import { InputError } from './input/inputError.js'

/** The exit codes scripts rely on. */
export const EXIT = Object.freeze({
  OK: 0,
  /** lookup: the hash is not listed; decide: no equivocation is recorded for the publisher. */
  NOT_FOUND: 1,
  FAILURE: 1,
  /** Bad command line, config or input. */
  USAGE: 2,
  /** No node answers. */
  UNREACHABLE: 3
})

/** Commander's own "errors" that are really successful exits. */
const COMMANDER_SUCCESS = new Set(['commander.helpDisplayed', 'commander.version'])

/** HTTP statuses from the node that mean the request (or its token) was wrong. */
const CALLER_FAULT_STATUSES = new Set([400, 401, 413, 414, 415, 431])

function exitCodeForStatus (status: number): number {
  if (CALLER_FAULT_STATUSES.has(status)) return EXIT.USAGE
  return status === 404 ? EXIT.NOT_FOUND : EXIT.FAILURE
}

/** The one place that turns an outcome into an exit code. */
export function exitCodeFor (err: unknown): number {
  if (err instanceof CommanderError) return COMMANDER_SUCCESS.has(err.code) ? EXIT.OK : EXIT.USAGE
  if (err instanceof ConfigError || err instanceof InputError || err instanceof SignalError || err instanceof LookupError) return EXIT.USAGE
  // Thrown here only by the CLI's own checks of what was typed (a content id, an action, a time).
  if (err instanceof MatchLogError) return EXIT.USAGE
  if (err instanceof NodeResponseError) return exitCodeForStatus(err.status)
  if (err instanceof CliError) {
    switch (err.code) {
      case 'USAGE':
      case 'BAD_INPUT': return EXIT.USAGE
      case 'NODE_UNREACHABLE': return EXIT.UNREACHABLE
      case 'PUBLISH_INCOMPLETE': return exitCodeFor(err.cause)
    }
  }
  return EXIT.FAILURE
}

function causeWithCode (err: unknown, code: string): Error | undefined {
  for (let e = err; e instanceof Error; e = e.cause) {
    if ((e as NodeJS.ErrnoException).code === code) return e
  }
  return undefined
}

/** A stable code and a one-line message for stderr and the `--json` error document. */
export function describeError (err: unknown): { code: string, message: string } {
  const locked = causeWithCode(err, 'LEVEL_LOCKED')
  if (locked !== undefined) {
    return { code: 'STORE_LOCKED', message: `the data directory is in use by another process (is a node already running on it?): ${locked.message}` }
  }
  const code = (err as { code?: unknown } | undefined)?.code
  const message = err instanceof Error ? err.message : String(err)
  return { code: typeof code === 'string' ? code : 'ERROR', message: message.replace(/\s*\n\s*/g, ' ') }
}
