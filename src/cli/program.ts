import { readFileSync } from 'node:fs'
import { Command, CommanderError } from 'commander'
import { type CliContext, printJson } from './context.js'
import { CliError, NodeResponseError } from './errors.js'
import { describeError, exitCodeFor } from './exitCodes.js'

/** Each command lives in its own file and adds itself to the program with one of these. */
export type RegisterCommand = (program: Command, ctx: CliContext) => void

function packageVersion (): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: unknown }
  return String(pkg.version)
}

function reportError (ctx: CliContext, err: unknown): void {
  const { code, message } = describeError(err)
  // Commander has already printed its own usage message.
  if (!(err instanceof CommanderError)) ctx.terminal.err(`hashmesh: ${message}\n`)
  if (ctx.json && exitCodeFor(err) !== 0) {
    const reason = err instanceof NodeResponseError && err.reason !== undefined ? { reason: err.reason } : {}
    printJson(ctx, { error: { code, message, ...reason }, ...(err instanceof CliError ? err.details : {}) })
  }
}

export function createProgram (ctx: CliContext, commands: readonly RegisterCommand[]): Command {
  const program = new Command('hashmesh')
    .description('Federated sharing of known-bad content hashes')
    .version(packageVersion())
    .exitOverride()
    .configureOutput({ writeOut: ctx.terminal.out, writeErr: ctx.terminal.err })
  program.hook('preAction', (_program, action) => { ctx.json = action.opts().json === true })
  for (const register of commands) register(program, ctx)
  return program
}

/** Runs one command line (argv as in process.argv) and returns the exit code; never throws. */
export async function runCli (argv: readonly string[], ctx: CliContext, commands: readonly RegisterCommand[]): Promise<number> {
  // Usage errors happen before any action runs; honour --json for them too.
  ctx.json = argv.includes('--json')
  try {
    await createProgram(ctx, commands).parseAsync([...argv])
    return ctx.exitCode
  } catch (err) {
    reportError(ctx, err)
    return exitCodeFor(err)
  }
}
