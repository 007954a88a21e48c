import { ConfigError } from './configError.js'
import { parseHostPort } from './hostPort.js'
import type { ConfigLayer } from './layers.js'

/** The environment variables the node reads, and the config key each one sets. */
const LIST_VARS = {
  HASHMESH_LISTEN: 'listen',
  HASHMESH_ANNOUNCE: 'announce',
  HASHMESH_BOOTSTRAP: 'bootstrap',
  HASHMESH_TRUST: 'trust'
} as const

const SCALAR_VARS = {
  HASHMESH_DATA: 'dataDir',
  HASHMESH_NETWORK: 'network'
} as const

/** Numbers: passed on as numbers when they parse, as text otherwise, so validation names the variable. */
const NUMBER_VARS = {
  HASHMESH_SYNC_INTERVAL_MS: 'syncIntervalMs'
} as const

export const CONFIG_FILE_VAR = 'HASHMESH_CONFIG'

export type Env = Readonly<Record<string, string | undefined>>

/** Comma-separated; an empty variable is an empty list (a way to clear the file's list). */
export function splitList (text: string): string[] {
  return text.split(',').map(s => s.trim()).filter(s => s !== '')
}

export function parseHttpSetting (text: string, source: string): { host: string, port: number } {
  const hostPort = parseHostPort(text)
  if (hostPort === undefined) {
    throw ConfigError.fromIssues([{ path: 'http', source, message: `must be HOST:PORT, e.g. 127.0.0.1:8080 (got ${JSON.stringify(text.slice(0, 80))})` }])
  }
  return hostPort
}

/** HASHMESH_* variables as a config layer. Unset and empty scalar variables are ignored. */
export function envLayer (env: Env): ConfigLayer {
  const values: Record<string, unknown> = {}
  const source: Record<string, string> = {}
  const set = (key: string, value: unknown, name: string): void => {
    values[key] = value
    source[key] = `env ${name}`
  }
  for (const [name, key] of Object.entries(SCALAR_VARS)) {
    const v = env[name]
    if (v !== undefined && v !== '') set(key, v, name)
  }
  for (const [name, key] of Object.entries(NUMBER_VARS)) {
    const v = env[name]
    if (v !== undefined && v !== '') set(key, /^\d+$/.test(v) ? Number(v) : v, name)
  }
  for (const [name, key] of Object.entries(LIST_VARS)) {
    const v = env[name]
    if (v !== undefined) set(key, splitList(v), name)
  }
  // Nested under forum: merged key by key with a file's forum section, so revokedEntries stays as set there.
  const roots = env.HASHMESH_FORUM_ROOTS
  if (roots !== undefined) set('forum', { roots: splitList(roots) }, 'HASHMESH_FORUM_ROOTS')
  const http = env.HASHMESH_HTTP
  if (http !== undefined && http !== '') set('http', parseHttpSetting(http, 'env HASHMESH_HTTP'), 'HASHMESH_HTTP')
  const level = env.HASHMESH_LOG_LEVEL
  if (level !== undefined && level !== '') set('log', { level }, 'HASHMESH_LOG_LEVEL')
  return { source, values }
}
