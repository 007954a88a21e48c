import { readFile } from 'node:fs/promises'
import { dirname, isAbsolute, resolve } from 'node:path'
import { ConfigError } from './configError.js'
import { DEFAULTS_FILE } from './defaultsFile.js'
import { CONFIG_FILE_VAR, type Env, envLayer } from './env.js'
import { type ConfigFlags, flagsLayer } from './flags.js'
import { parseJsonc } from './jsonc.js'
import { type ConfigLayer, isPlainObject, mergeLayers } from './layers.js'
import { type HashmeshConfig, validateConfig } from './validate.js'

/** A config is a few KB; anything this large is the wrong file, so do not parse it. */
export const MAX_CONFIG_FILE_BYTES = 1024 * 1024

export interface LoadConfigOptions {
  /** `--config FILE`; falls back to HASHMESH_CONFIG. */
  configFile?: string
  env?: Env
  flags?: ConfigFlags
  /** Tests point this elsewhere; the node always uses DEFAULTS_FILE. */
  defaultsFile?: string
}

async function readObjectFile (path: string, source: string): Promise<Record<string, unknown>> {
  let text
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    throw new ConfigError('UNREADABLE_CONFIG', `${source}: cannot read: ${(err as Error).message}`, [], { cause: err })
  }
  if (Buffer.byteLength(text) > MAX_CONFIG_FILE_BYTES) {
    throw new ConfigError('UNREADABLE_CONFIG', `${source}: larger than ${MAX_CONFIG_FILE_BYTES} bytes; not a config file`)
  }
  const value = parseJsonc(text, source)
  if (!isPlainObject(value)) throw ConfigError.fromIssues([{ path: '', source, message: 'must be a JSON object' }])
  return value
}

/** A relative dataDir in a config file means "next to this file", so a service does not depend on its cwd. */
function anchorDataDir (values: Record<string, unknown>, configFile: string): Record<string, unknown> {
  const dataDir = values.dataDir
  if (typeof dataDir !== 'string' || dataDir === '' || isAbsolute(dataDir)) return values
  return { ...values, dataDir: resolve(dirname(resolve(configFile)), dataDir) }
}

async function defaultsLayer (path = DEFAULTS_FILE): Promise<ConfigLayer> {
  return { source: 'defaults', values: await readObjectFile(path, 'defaults') }
}

/** Merges the layers in order (later wins) and validates the result once. */
export function resolveConfig (layers: readonly ConfigLayer[]): HashmeshConfig {
  return validateConfig(mergeLayers(layers))
}

/** defaults ← config file ← HASHMESH_* environment ← command-line flags. Throws ConfigError. */
export async function loadConfig (opts: LoadConfigOptions = {}): Promise<HashmeshConfig> {
  const env = opts.env ?? {}
  const layers: ConfigLayer[] = [await defaultsLayer(opts.defaultsFile)]
  const configFile = opts.configFile ?? nonEmpty(env[CONFIG_FILE_VAR])
  if (configFile !== undefined) {
    const source = `config file ${configFile}`
    layers.push({ source, values: anchorDataDir(await readObjectFile(configFile, source), configFile) })
  }
  layers.push(envLayer(env), flagsLayer(opts.flags ?? {}))
  return resolveConfig(layers)
}

function nonEmpty (v: string | undefined): string | undefined {
  return v === undefined || v === '' ? undefined : v
}
