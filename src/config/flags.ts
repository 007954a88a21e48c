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
  if (flags.http !== undefined) set('http', parseHttpSetting(flags.http, 'flag --http'), '--http')
  if (flags.openReads === true) set('http', { ...values.http as object | undefined, openReads: true }, flags.http === undefined ? '--open-reads' : '--http, --open-reads')
  if (flags.logLevel !== undefined) set('log', { level: flags.logLevel }, '--log-level')
  return { source, values }
}
