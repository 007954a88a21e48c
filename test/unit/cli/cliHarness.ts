import type { CliContext } from '../../../src/cli/context.js'
import { type RegisterCommand, runCli } from '../../../src/cli/program.js'
import type { Env } from '../../../src/config/env.js'

export interface Run { code: number, out: string, err: string }

/** Runs one `hashmesh` command line in-process, capturing what it prints and its exit code. */
export async function runCommand (commands: readonly RegisterCommand[], args: readonly string[], env: Env = {}): Promise<Run> {
  let out = ''
  let err = ''
  const ctx: CliContext = {
    env,
    terminal: { out: t => { out += t }, err: t => { err += t } },
    exitCode: 0,
    json: false,
    exitNow: code => { throw new Error(`exitNow(${code})`) }
  }
  const code = await runCli(['node', 'hashmesh', ...args], ctx, commands)
  return { code, out, err }
}
