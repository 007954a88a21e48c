import { type Command, Option } from 'commander'
import { AuditQueryError, parseExpectHead, parseExportQuery } from '../../audit/auditQuery.js'
import { EXPORT_FORMATS, type ExportFormat } from '../../audit/exportFormat.js'
import { CONFIG_FILE_VAR } from '../../config/env.js'
import { loadConfig } from '../../config/loadConfig.js'
import type { AuditLogPage, AuditRecordJson, ProvenanceReport, VerifyReport } from '../../node/auditApi.js'
import { dataDirPaths } from '../../node/dataDirPaths.js'
import { parseSignalValue } from '../../signals/hex.js'
import { type CliContext, printJson, printLines } from '../context.js'
import { CliError } from '../errors.js'
import { EXIT } from '../exitCodes.js'
import { downloadTo } from '../exportDownload.js'
import { NodeClient } from '../nodeClient.js'
import { locateNode } from '../nodeLocator.js'
import { isStoreLocked, verifyStoreAt } from '../offlineVerify.js'
import { type ClientOptions, clientOptions, jsonOption } from '../options.js'
import { formatProvenance } from '../provenanceText.js'
import { formatVerifyReport } from '../verifyReportText.js'

interface VerifyOptions extends ClientOptions { config?: string, expectHead?: string }
interface ExportOptions extends ClientOptions { since?: string, until?: string, publisher?: string, format: ExportFormat, out?: string }
interface LogOptions extends ClientOptions { after?: number, limit?: number }

/** A bad date or key on the command line is a usage error (exit 2) before any node is asked. */
function checked<T> (fn: () => T): T {
  try {
    return fn()
  } catch (err) {
    if (err instanceof AuditQueryError) throw new CliError('USAGE', err.message, { cause: err })
    throw err
  }
}

function count (flag: string, min: number): (text: string) => number {
  return text => {
    if (!/^\d{1,15}$/.test(text) || Number(text) < min) throw new CliError('USAGE', `${flag} must be an integer of at least ${min}, got ${text.slice(0, 20)}`)
    return Number(text)
  }
}

function logLine (r: AuditRecordJson): string {
  return `${r.seq}  ${r.at}  ${r.actor}  ${r.action}  ${JSON.stringify(r.details)}`
}

function formatLog (page: AuditLogPage): string[] {
  return [
    ...(page.records.length === 0 ? ['no records'] : page.records.map(logLine)),
    `head: seq ${page.head.seq} ${page.head.hash}`,
    ...(page.next === undefined ? [] : [`more: hashmesh audit log --after ${page.next}`])
  ]
}

/**
 * Offline first: the store is opened directly, so the check does not trust the node's code paths
 * or need it running. A running node holds the store's lock; then it is asked to verify its own
 * store (over a snapshot) instead, and the output says so.
 */
async function verify (opts: VerifyOptions, ctx: CliContext): Promise<void> {
  const expectHead = opts.expectHead === undefined ? undefined : checked(() => parseExpectHead(opts.expectHead!))
  const config = await loadConfig({ configFile: opts.config, env: ctx.env, flags: { dataDir: opts.data } })
  const paths = dataDirPaths(config.node.dataDir)
  // Only a config someone gave names roots; the defaults' empty list would make every record suspect.
  const given = opts.config !== undefined || (ctx.env[CONFIG_FILE_VAR] ?? '') !== ''
  const roots = given ? config.node.forum.roots.map(hex => Uint8Array.from(Buffer.from(hex, 'hex'))) : undefined
  let report: VerifyReport
  let how: string
  let verifiedBy: 'offline' | 'node'
  try {
    report = await verifyStoreAt(paths.db, roots, expectHead)
    how = `verified offline: ${paths.db}`
    verifiedBy = 'offline'
  } catch (err) {
    if (!isStoreLocked(err)) throw err
    ctx.terminal.err(`hashmesh: ${paths.db} is in use by a running node; asking that node to verify its store\n`)
    const target = await locateNode({ ...opts, data: config.node.dataDir }, ctx.env, 'admin')
    report = await new NodeClient(target).call<VerifyReport>('POST', '/v1/audit/verify',
      opts.expectHead === undefined ? undefined : { expectHead: opts.expectHead })
    how = `verified by the running node at ${target.url} (it holds the store's lock)`
    verifiedBy = 'node'
  }
  ctx.exitCode = report.ok ? EXIT.OK : EXIT.FAILURE
  if (opts.json === true) printJson(ctx, { ...report, verifiedBy, store: paths.db })
  else printLines(ctx, formatVerifyReport(report, how))
}

/** Streams to FILE.partial and renames it at the end, so FILE never holds a cut-off export. */
async function exportTo (opts: ExportOptions, ctx: CliContext): Promise<void> {
  checked(() => parseExportQuery(opts))
  const params = new URLSearchParams({ format: opts.format })
  if (opts.since !== undefined) params.set('since', opts.since)
  if (opts.until !== undefined) params.set('until', opts.until)
  if (opts.publisher !== undefined) params.set('publisher', opts.publisher.toLowerCase())
  const target = await locateNode(opts, ctx.env, 'read')
  const bytes = await downloadTo(target, `/v1/audit/export?${params.toString()}`, opts.out, ctx)
  if (bytes !== undefined) printLines(ctx, [`wrote ${bytes} bytes of ${opts.format} to ${opts.out}`])
}

export function register (program: Command, ctx: CliContext): void {
  const audit = program.command('audit').description('provenance of a hash, store verification, exports and the audit log')

  clientOptions(audit.command('hash')
    .description('every entry about one exact hash, oldest first, traced to its signed batch, and the verdict')
    .argument('<type>', 'md5, sha1, sha256 or pdq (exact value)')
    .argument('<value>', 'the hash, hex'))
    .addOption(jsonOption())
    .action(async (type: string, value: string, opts: ClientOptions) => {
      parseSignalValue(type, value)
      const report = await new NodeClient(await locateNode(opts, ctx.env, 'read'))
        .call<ProvenanceReport>('GET', `/v1/provenance/${encodeURIComponent(type)}/${encodeURIComponent(value)}`)
      if (opts.json === true) printJson(ctx, report)
      else printLines(ctx, formatProvenance(report))
    })

  clientOptions(audit.command('verify')
    .description('check the store offline: signatures, chains, heads, index, forum records, audit log; exit 1 on any problem')
    .addOption(new Option('--config <file>',
      'config file, for the data directory and the forum roots to compare with those the node recorded (default: $HASHMESH_CONFIG)'))
    .addOption(new Option('--expect-head <hash>', 'an audit head recorded earlier: fail unless the log still holds it')))
    .addOption(jsonOption())
    .action(async (opts: VerifyOptions) => { await verify(opts, ctx) })

  clientOptions(audit.command('export')
    .description('every stored entry (created in [since, until) when given), one row each with its standing now, streamed from the node')
    .option('--since <date>', 'YYYY-MM-DD or ISO-8601 with a zone; entries created at or after (default: all)')
    .option('--until <date>', 'entries created before (exclusive)')
    .option('--publisher <key>', 'one publisher only, hex')
    .addOption(new Option('--format <format>', 'csv or jsonl').choices(EXPORT_FORMATS).default('csv'))
    .option('--out <file>', 'write to FILE (default: stdout)'))
    .action(async (opts: ExportOptions) => { await exportTo(opts, ctx) })

  clientOptions(audit.command('log')
    .description('the node\'s hash-chained log of administrative acts')
    .addOption(new Option('--after <seq>', 'records after this seq').argParser(count('--after', 0)))
    .addOption(new Option('--limit <n>', 'records to show (1-1000, default 100)').argParser(count('--limit', 1))))
    .addOption(jsonOption())
    .action(async (opts: LogOptions) => {
      const params = new URLSearchParams()
      if (opts.after !== undefined) params.set('afterSeq', String(opts.after))
      if (opts.limit !== undefined) params.set('limit', String(opts.limit))
      const query = params.size === 0 ? '' : `?${params.toString()}`
      const page = await new NodeClient(await locateNode(opts, ctx.env, 'admin')).call<AuditLogPage>('GET', `/v1/audit/log${query}`)
      if (opts.json === true) printJson(ctx, page)
      else printLines(ctx, formatLog(page))
    })
}
