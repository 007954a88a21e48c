import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'

/** The built CLI, what the image's ENTRYPOINT runs (`npm run build` first, as for every CLI test). */
export const CLI = fileURLToPath(new URL('../../../dist/cli/main.js', import.meta.url))

const run = promisify(execFile)
const helpCache = new Map<string, Promise<Set<string>>>()

/** The long options `hashmesh COMMAND --help` lists; rejects when there is no such command. */
async function optionsOf (command: string): Promise<Set<string>> {
  const { stdout } = await run(process.execPath, [CLI, command, '--help'])
  // An unknown command gets the program's own help, exit 0: only the usage line tells them apart.
  if (!stdout.startsWith(`Usage: hashmesh ${command} `)) throw new Error('unknown command')
  const options = stdout.split(/^Options:$/m)[1]
  if (options === undefined) throw new Error(`hashmesh ${command} --help lists no options`)
  return new Set([...options.matchAll(/(?:^|[\s,])(--[a-z][a-z0-9-]*)/gm)].map(m => m[1]!))
}

/**
 * Why `args` (what a container passes to `node dist/cli/main.js`) is not a valid `hashmesh` command
 * line, or undefined when it is: its (top-level) command must exist and every long option must be one of it.
 */
export async function cliProblem (args: readonly string[]): Promise<string | undefined> {
  const [command = ''] = args
  if (!helpCache.has(command)) helpCache.set(command, optionsOf(command))
  let known
  try {
    known = await helpCache.get(command)!
  } catch (err) {
    return `hashmesh ${command}: not a command (${(err as Error).message.split('\n')[0]})`
  }
  const unknown = args.slice(1).filter(a => a.startsWith('--')).map(a => a.split('=')[0]!).filter(o => !known.has(o))
  return unknown.length === 0 ? undefined : `hashmesh ${command}: no option ${unknown.join(', ')}`
}
