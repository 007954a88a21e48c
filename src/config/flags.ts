import { parseHttpSetting } from './env.js'
import type { ConfigLayer } from './layers.js'

/** What `hashmesh start` accepts on its command line that overrides config. */
export interface ConfigFlags {
  dataDir?: string
  network?: string
  listen?: string[]
  announce?: string[]
  bootstrap?: string[]
  trust?: string[]
  /** Public keys of the forum's roots (forum.roots). */
  forumRoots?: string[]
  /** HOST:PORT */
  http?: string
  logLevel?: string
  /** Reads (lookups, reports) without a token. */
  openReads?: boolean
  /** GET /metrics without a token. */
  openMetrics?: boolean
}

/** The flags that set keys of `http`, merged into one value; the source names every one given. */
function httpFlags (flags: ConfigFlags): { value: object, names: string } | undefined {
  const given = ([
    ['--http', flags.http === undefined ? undefined : parseHttpSetting(flags.http, 'flag --http')],
    ['--open-reads', flags.openReads === true ? { openReads: true } : undefined],
    ['--open-metrics', flags.openMetrics === true ? { openMetrics: true } : undefined]
  ] as const).filter(([, value]) => value !== undefined)
  if (given.length === 0) return undefined
  return { value: given.reduce<object>((merged, [, value]) => ({ ...merged, ...value }), {}), names: given.map(([name]) => name).join(', ') }
}

export function flagsLayer (flags: ConfigFlags): ConfigLayer {
  const values: Record<string, unknown> = {}
  const source: Record<string, string> = {}
  const set = (key: string, value: unknown, flag: string): void => {
    values[key] = value
    source[key] = `flag ${flag}`
  }
  if (flags.dataDir !== undefined) set('dataDir', flags.dataDir, '--data')
  if (flags.network !== undefined) set('network', flags.network, '--network')
  if (flags.listen !== undefined) set('listen', flags.listen, '--listen')
  if (flags.announce !== undefined) set('announce', flags.announce, '--announce')
  if (flags.bootstrap !== undefined) set('bootstrap', flags.bootstrap, '--bootstrap')
  if (flags.trust !== undefined) set('trust', flags.trust, '--trust')
  if (flags.forumRoots !== undefined) set('forum', { roots: flags.forumRoots }, '--forum-root')
  const http = httpFlags(flags)
  if (http !== undefined) set('http', http.value, http.names)
  if (flags.logLevel !== undefined) set('log', { level: flags.logLevel }, '--log-level')
  return { source, values }
}
