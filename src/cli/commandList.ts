import type { RegisterCommand } from './program.js'

/** One top-level command: its name and how to load the file that registers it. */
export interface CommandEntry {
  name: string
  load: () => Promise<RegisterCommand>
}

/**
 * Every command of `hashmesh`, in `--help` order; a new one is a file in commands/ exporting
 * register(program, ctx), listed here. Loaded on demand: importing them all (and with them libp2p,
 * fastify, LevelDB and sharp) cost seconds before even `--version` could answer.
 */
export const COMMANDS: readonly CommandEntry[] = [
  { name: 'init', load: async () => (await import('./commands/init.js')).register },
  { name: 'start', load: async () => (await import('./commands/start.js')).register },
  { name: 'publish', load: async () => (await import('./commands/publish.js')).register },
  { name: 'lookup', load: async () => (await import('./commands/lookup.js')).register },
  { name: 'hash', load: async () => (await import('./commands/hash.js')).register },
  { name: 'match', load: async () => (await import('./commands/match.js')).register },
  { name: 'status', load: async () => (await import('./commands/status.js')).register },
  { name: 'equivocations', load: async () => (await import('./commands/equivocations.js')).register },
  { name: 'decide', load: async () => (await import('./commands/decide.js')).register },
  { name: 'opine', load: async () => (await import('./commands/opine.js')).register },
  { name: 'allowlist', load: async () => (await import('./commands/allowlist.js')).register },
  { name: 'watch', load: async () => (await import('./commands/watch.js')).register },
  { name: 'forum', load: async () => (await import('./commands/forum.js')).register },
  { name: 'join', load: async () => (await import('./commands/join.js')).register },
  { name: 'rotate-key', load: async () => (await import('./commands/rotateKey.js')).register },
  { name: 'hooks', load: async () => (await import('./commands/hooks.js')).register },
  { name: 'audit', load: async () => (await import('./commands/audit.js')).register },
  { name: 'matches', load: async () => (await import('./commands/matches.js')).register },
  { name: 'appeal', load: async () => (await import('./commands/appeal.js')).register },
  { name: 'evidence', load: async () => (await import('./commands/evidence.js')).register },
  { name: 'demo', load: async () => (await import('./commands/demo.js')).register }
]

const VERSION_FLAGS = new Set(['-V', '--version'])

/**
 * The commands one command line (process.argv.slice(2)) needs: the one it names; none for
 * `--version`; all of them when it names none this CLI knows (`--help`, no arguments, a typo), so
 * that help lists every command and a typo gets a suggestion. Top-level options take no values, so
 * the first operand is the command; `help X` names X.
 */
export async function commandsFor (args: readonly string[], commands: readonly CommandEntry[] = COMMANDS): Promise<RegisterCommand[]> {
  const operands = args.filter(a => !a.startsWith('-'))
  const name = operands[0] === 'help' ? operands[1] : operands[0]
  const named = commands.find(c => c.name === name)
  if (named !== undefined) return [await named.load()]
  if (name === undefined && args.some(a => VERSION_FLAGS.has(a))) return []
  return await Promise.all(commands.map(async c => await c.load()))
}
