import { type Command, Option } from 'commander'
import { TOKEN_VAR } from './clientToken.js'

/** Options shared by several commands, spelled once. */

export function dataOption (): Option {
  return new Option('--data <dir>', 'data directory (default: $HASHMESH_DATA or ./data)')
}

function nodeOption (): Option {
  return new Option('--node <url>', 'HTTP URL of the node (default: the one in DIR/node.json)')
}

function tokenOption (): Option {
  return new Option('--token <token>',
    `token for the node; other users see it in ps, so prefer --token-file or $${TOKEN_VAR} ` +
    `(default: $${TOKEN_VAR}, else DIR/admin.token if readable, else DIR/read.token for reads)`)
}

function tokenFileOption (): Option {
  return new Option('--token-file <file>', 'file holding the token on one line (e.g. a copy of the node\'s read.token or admin.token)')
}

/** Every command that talks to a node takes these, added here so that none can miss one. */
export function clientOptions (command: Command): Command {
  return command
    .addOption(dataOption())
    .addOption(nodeOption())
    .addOption(tokenOption())
    .addOption(tokenFileOption())
}

export function jsonOption (): Option {
  return new Option('--json', 'print exactly one JSON document on stdout')
}

/** For repeatable options: `--listen A --listen B` gives [A, B]. */
export function collect (value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value]
}

export interface ClientOptions {
  data?: string
  node?: string
  token?: string
  tokenFile?: string
  json?: boolean
}
