import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { ConfigError } from './configError.js'
import { DEFAULTS_FILE } from './defaultsFile.js'
import type { Env } from './env.js'
import { parseJsonc } from './jsonc.js'

function nonEmpty (v: string | undefined): string | undefined {
  return v === undefined || v === '' ? undefined : v
}

/** Only this one field of the defaults: validating them all loads the config schema, and libp2p's address parsers with it. */
async function defaultDataDir (): Promise<string> {
  const defaults = parseJsonc(await readFile(DEFAULTS_FILE, 'utf8'), 'defaults') as { dataDir?: unknown } | undefined
  const dataDir = defaults?.dataDir
  if (typeof dataDir !== 'string' || dataDir === '') throw ConfigError.fromIssues([{ path: 'dataDir', source: 'defaults', message: 'must not be empty' }])
  return dataDir
}

/**
 * The data directory client commands look in when no config is loaded: `--data`, else
 * HASHMESH_DATA, else the default. Absolute. Apart from loadConfig.ts so that a client command
 * starts without loading what a node needs.
 */
export async function resolveDataDir (flag: string | undefined, env: Env): Promise<string> {
  return resolve(flag ?? nonEmpty(env.HASHMESH_DATA) ?? await defaultDataDir())
}
