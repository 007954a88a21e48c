import { Option } from 'commander'

/** Options shared by several commands, spelled once. */

export function dataOption (): Option {
  return new Option('--data <dir>', 'data directory (default: $HASHMESH_DATA or ./data)')
}

export function nodeOption (): Option {
  return new Option('--node <url>', 'HTTP URL of the node (default: the one in DIR/node.json)')
}

export function tokenOption (): Option {
  return new Option('--token <token>', 'admin token (default: DIR/admin.token)')
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
  json?: boolean
}
