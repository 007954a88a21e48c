import { resolve } from 'node:path'
import type { z } from 'zod'
import type { NodeOptions } from '../node/options.js'
import { ConfigError, type ConfigIssue } from './configError.js'
import type { MergedConfig } from './layers.js'
import { type LOG_LEVELS, configSchema } from './schema.js'

export interface HashmeshConfig {
  node: NodeOptions
  http: { host: string, port: number, openReads: boolean, openMetrics: boolean }
  /** POST /v1/match takes bodies up to this size. */
  maxUploadBytes: number
  log: { level: typeof LOG_LEVELS[number] }
}

/** Keeps an error line readable when the offending value is a long string or a big object. */
const MAX_SHOWN_VALUE_CHARS = 80

function valueAt (root: unknown, path: readonly PropertyKey[]): unknown {
  let v = root
  for (const key of path) {
    if (typeof v !== 'object' || v === null || !Object.hasOwn(v, key)) return undefined
    v = (v as Record<PropertyKey, unknown>)[key]
  }
  return v
}

function shown (v: unknown): string {
  const text = JSON.stringify(v) ?? String(v)
  return text.length > MAX_SHOWN_VALUE_CHARS ? `${text.slice(0, MAX_SHOWN_VALUE_CHARS)}…` : text
}

function toIssues (zodIssue: z.core.$ZodIssue, merged: MergedConfig): ConfigIssue[] {
  const path = zodIssue.path.map(String)
  if (zodIssue.code === 'unrecognized_keys') {
    return zodIssue.keys.map(key => {
      const full = [...path, key].join('.')
      return { path: full, source: merged.sourceOf(full), message: 'unknown key' }
    })
  }
  const dotted = path.join('.')
  const value = valueAt(merged.values, zodIssue.path)
  const got = value === undefined ? '' : ` (got ${shown(value)})`
  return [{ path: dotted, source: merged.sourceOf(dotted), message: `${zodIssue.message}${got}` }]
}

/** zod may report a value's type and then its bounds; the first issue per field is the useful one. */
function firstPerPath (issues: ConfigIssue[]): ConfigIssue[] {
  const seen = new Set<string>()
  return issues.filter(i => !seen.has(i.path) && seen.add(i.path) !== undefined)
}

/** Checks the merged layers once, naming every bad field and where it came from. */
export function validateConfig (merged: MergedConfig): HashmeshConfig {
  const result = configSchema.safeParse(merged.values)
  if (!result.success) throw ConfigError.fromIssues(firstPerPath(result.error.issues.flatMap(i => toIssues(i, merged))))
  const c = result.data
  return {
    node: {
      dataDir: resolve(c.dataDir),
      network: c.network,
      listen: c.listen,
      announce: c.announce,
      bootstrap: c.bootstrap,
      trust: c.trust,
      forum: c.forum,
      policy: c.policy,
      watch: c.watch,
      maxClockSkewMs: c.maxClockSkewMs,
      syncIntervalMs: c.syncIntervalMs,
      uploads: { concurrency: c.match.concurrency, maxWaiting: c.match.maxWaiting, maxPixels: c.match.maxImagePixels },
      hooks: {
        concurrency: c.hooks.concurrency,
        timeoutMs: c.hooks.timeoutMs,
        retryBaseMs: c.hooks.retryBaseMs,
        retryCapMs: c.hooks.retryCapMs,
        maxRetryMs: Math.round(c.hooks.maxRetryHours * 60 * 60 * 1000),
        maxOutboxRows: c.hooks.maxOutboxRows,
        maxDeadRows: c.hooks.maxDeadRows
      },
      matches: { actionDeadlineMs: c.matches.actionDeadlineHours * 3_600_000, retentionMs: c.matches.retentionDays * 86_400_000 }
    },
    http: c.http,
    maxUploadBytes: c.match.maxUploadBytes,
    log: c.log
  }
}
