import { type Command, Option } from 'commander'
import { MATCH_EXPORT_FORMATS, type MatchExportFormat } from '../../matches/matchExport.js'
import { ACTOR_PATTERN, parseInstant } from '../../matches/matchInput.js'
import { MATCH_STATUSES, MAX_MATCH_PAGE } from '../../matches/matchQuery.js'
import { MATCH_ACTIONS } from '../../matches/matchRecord.js'
import type { MatchPage, MatchRecord, MatchStats } from '../../node/matchesApi.js'
import { MAX_ACTOR_CHARS } from '../../store/matchRecords.js'
import { type CliContext, aligned, printJson, printLines } from '../context.js'
import { CliError } from '../errors.js'
import { downloadTo } from '../exportDownload.js'
import { NodeClient } from '../nodeClient.js'
import { localActor, locateNode } from '../nodeLocator.js'
import { type ClientOptions, clientOptions, jsonOption } from '../options.js'

interface RangeOptions extends ClientOptions { since?: string, until?: string }
interface ListOptions extends RangeOptions { status?: string, label?: string, limit?: number, after?: string }
interface ActOptions extends ClientOptions { action: string, actor?: string, at?: string }
interface ExportOptions extends RangeOptions { format: MatchExportFormat, out?: string }

const MATCH_ID = /^m_[0-9a-f]{28}$/

/** Checked here too, so a typo is a usage error before any node is asked. */
function instant (flag: string): (text: string) => string {
  return text => {
    try {
      parseInstant(text, flag)
    } catch {
      throw new CliError('USAGE', `${flag} must be an ISO-8601 time with a zone, e.g. 2026-01-31T12:00:00Z`)
    }
    return text
  }
}

function parseLimit (text: string): number {
  if (!/^\d{1,5}$/.test(text) || Number(text) < 1 || Number(text) > MAX_MATCH_PAGE) throw new CliError('USAGE', `--limit must be 1-${MAX_MATCH_PAGE}`)
  return Number(text)
}

function parseMatchId (text: string): string {
  if (!MATCH_ID.test(text)) throw new CliError('USAGE', `a match id is m_ and 28 hex digits, got ${JSON.stringify(text.slice(0, 40))}`)
  return text
}

function parseActor (text: string): string {
  if (!ACTOR_PATTERN.test(text)) throw new CliError('USAGE', `--actor must be 1-${MAX_ACTOR_CHARS} printable characters`)
  return text
}

function rangeOptions (command: Command): Command {
  return command
    .addOption(new Option('--since <time>', 'matches at or after this ISO-8601 time').argParser(instant('--since')))
    .addOption(new Option('--until <time>', 'matches before this ISO-8601 time (exclusive)').argParser(instant('--until')))
}

function query (params: Record<string, string | number | undefined>): string {
  const q = new URLSearchParams()
  for (const [k, v] of Object.entries(params)) if (v !== undefined) q.set(k, String(v))
  return q.size === 0 ? '' : `?${q.toString()}`
}

function statusOf (r: MatchRecord): string {
  const parts = [r.actions.length === 0 ? 'open' : `acted: ${r.actions.map(a => a.action).join(',')}`]
  if (r.listing === 'unlisted') parts.push('unlisted')
  if (r.appeal !== undefined) parts.push(`appeal ${r.appeal.outcome}`)
  return parts.join('; ')
}

export function formatMatchRecord (r: MatchRecord): string {
  const labels = r.labels.length === 0 ? '-' : r.labels.join(';')
  return `${r.id}  ${r.at}  ${r.contentId}  ${r.hash.type} ${r.matched.map(m => m.value).join(',')}  ${labels}  ${statusOf(r)}`
}

function formatRecordDetail (r: MatchRecord): string[] {
  return [
    `match ${r.id} (${r.source})`,
    ...aligned([
      ['content', r.contentId],
      ['checked', `${r.hash.type} ${r.hash.value}`],
      ...r.matched.map((m, i) => [i === 0 ? 'matched' : '', `${m.value}${m.distance === undefined ? '' : ` (distance ${m.distance})`}`] as [string, string]),
      ['labels', r.labels.length === 0 ? '-' : r.labels.join(';')],
      ['listed at', r.listedAt ?? 'unknown'],
      ['matched at', r.at],
      ['listing', r.listing],
      ...r.actions.map((a, i) => [i === 0 ? 'actions' : '', `${a.at} ${a.action} by ${a.actor}`] as [string, string]),
      ...(r.appeal === undefined ? [] : [['appeal', `${r.appeal.outcome} (${r.appeal.reason}) by ${r.appeal.actor} at ${r.appeal.at}`] as [string, string]])
    ], '  ')
  ]
}

function durationText (ms: number | undefined): string {
  if (ms === undefined) return '-'
  if (ms < 120_000) return `${(ms / 1000).toFixed(1)} s`
  if (ms < 7_200_000) return `${(ms / 60_000).toFixed(1)} min`
  return `${(ms / 3_600_000).toFixed(1)} h`
}

function formatStats (s: MatchStats): string[] {
  const p = (d: MatchStats['timeToMatch']): string => `p50 ${durationText(d.p50Ms)}, p90 ${durationText(d.p90Ms)}, p99 ${durationText(d.p99Ms)} (${d.count})`
  return [
    `matches: ${s.total} (${s.acted} acted, ${s.open} open, ${s.unlisted} unlisted, ${s.appealed} appealed)`,
    `not acted on within ${s.actionDeadlineHours} h: ${s.overdue.total} (${s.overdue.open} still open, ${s.overdue.late} acted late)`,
    `time from arrival to match: ${p(s.timeToMatch)}`,
    `time from match to action: ${p(s.timeToAction)}`,
    'by label:', ...aligned(Object.entries(s.byLabel).map(([k, v]) => [k, String(v)]), '  '),
    'by month:', ...aligned(Object.entries(s.byMonth).map(([k, v]) => [k, String(v)]), '  ')
  ]
}

async function client (opts: ClientOptions, ctx: CliContext, actor?: string): Promise<NodeClient> {
  const target = await locateNode(opts, ctx.env, 'admin')
  return new NodeClient(actor === undefined ? target : { ...target, actor })
}

export function register (program: Command, ctx: CliContext): void {
  const matches = program.command('matches')
    .description('the match log: matches recorded, what was done about them, time-to-action')

  // The default: `hashmesh matches --since …` lists. The parent takes no options of its own, or it
  // would take --data, --since … away from every subcommand.
  rangeOptions(clientOptions(matches.command('list', { isDefault: true })
    .description('records in time order, oldest first, a page at a time (the default: hashmesh matches --since …)')))
    .addOption(new Option('--status <status>', 'only records that are').choices(MATCH_STATUSES))
    .option('--label <label>', 'only records with this label')
    .addOption(new Option('--limit <n>', `records per page (1-${MAX_MATCH_PAGE}, default 100)`).argParser(parseLimit))
    .addOption(new Option('--after <id>', 'the page after this match id (the previous page\'s next)').argParser(parseMatchId))
    .addOption(jsonOption())
    .action(async (opts: ListOptions) => {
      const { since, until, status, label, limit, after } = opts
      const page = await (await client(opts, ctx)).call<MatchPage>('GET', `/v1/matches${query({ since, until, status, label, limit, after })}`)
      if (opts.json === true) printJson(ctx, page)
      else {
        printLines(ctx, [
          ...(page.matches.length === 0 ? ['no matches'] : page.matches.map(formatMatchRecord)),
          ...(page.next === undefined ? [] : [`more: hashmesh matches --after ${page.next}`])
        ])
      }
    })

  clientOptions(matches.command('show')
    .description('one match record in full')
    .argument('<id>', 'match id', parseMatchId))
    .addOption(jsonOption())
    .action(async (id: string, opts: ClientOptions) => {
      const record = await (await client(opts, ctx)).call<MatchRecord>('GET', `/v1/matches/${id}`)
      if (opts.json === true) printJson(ctx, record)
      else printLines(ctx, formatRecordDetail(record))
    })

  clientOptions(matches.command('act')
    .description('report what was done about a match (audited); a record keeps every action reported')
    .argument('<id>', 'match id', parseMatchId)
    .addOption(new Option('--action <action>', 'what was done').choices(MATCH_ACTIONS).makeOptionMandatory())
    .addOption(new Option('--actor <name>', 'who did it (default: $USER@hostname)').argParser(parseActor))
    .addOption(new Option('--at <time>', 'when, ISO-8601 (default: now)').argParser(instant('--at'))))
    .addOption(jsonOption())
    .action(async (id: string, opts: ActOptions) => {
      const actor = opts.actor ?? localActor(ctx.env)
      const body = { action: opts.action, actor, ...(opts.at === undefined ? {} : { at: opts.at }) }
      const record = await (await client(opts, ctx, actor)).call<MatchRecord>('POST', `/v1/matches/${id}/action`, body)
      if (opts.json === true) printJson(ctx, record)
      else printLines(ctx, [`recorded ${opts.action} on ${id}`, ...formatRecordDetail(record)])
    })

  rangeOptions(clientOptions(matches.command('stats')
    .description('counts per label and month, time to match and to action (p50/p90/p99), matches not acted on within the deadline')))
    .addOption(jsonOption())
    .action(async (opts: RangeOptions) => {
      const stats = await (await client(opts, ctx)).call<MatchStats>('GET', `/v1/matches/stats${query({ since: opts.since, until: opts.until })}`)
      if (opts.json === true) printJson(ctx, stats)
      else printLines(ctx, formatStats(stats))
    })

  rangeOptions(clientOptions(matches.command('export')
    .description('every record of the range, streamed from the node: CSV (safe to open in a spreadsheet) or JSONL')
    .addOption(new Option('--format <format>', 'csv or jsonl').choices(MATCH_EXPORT_FORMATS).default('csv'))
    .option('--out <file>', 'write to FILE (default: stdout)')))
    .action(async (opts: ExportOptions) => {
      const target = await locateNode(opts, ctx.env, 'admin')
      const path = `/v1/matches/export${query({ format: opts.format, since: opts.since, until: opts.until })}`
      const bytes = await downloadTo(target, path, opts.out, ctx)
      if (bytes !== undefined) printLines(ctx, [`wrote ${bytes} bytes of ${opts.format} to ${opts.out}`])
    })
}
