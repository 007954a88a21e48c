import type { Env } from '../config/env.js'

/** Where a command writes; the real one is the process's stdout and stderr. */
export interface Terminal {
  out: (text: string) => void
  err: (text: string) => void
}

/** What every command gets: its environment, the terminal, and a way to report its outcome. */
export interface CliContext {
  env: Env
  terminal: Terminal
  /** Exit code when the command returns normally (lookup sets NOT_FOUND). */
  exitCode: number
  /** `--json` was given: an error is printed as one JSON document on stdout as well. */
  json: boolean
  /** Ends the process at once, skipping cleanup (a second Ctrl-C during shutdown). */
  exitNow: (code: number) => never
}

export function printJson (ctx: CliContext, doc: unknown): void {
  ctx.terminal.out(`${JSON.stringify(doc, null, 2)}\n`)
}

export function printLines (ctx: CliContext, lines: readonly string[]): void {
  if (lines.length > 0) ctx.terminal.out(`${lines.join('\n')}\n`)
}

/** `key   value` lines with the values aligned, for human output. */
export function aligned (rows: ReadonlyArray<readonly [string, string]>, indent = ''): string[] {
  const width = Math.max(0, ...rows.map(([k]) => k.length))
  return rows.map(([k, v]) => `${indent}${k.padEnd(width)}  ${v}`)
}
