import { Option, type Command } from 'commander'
import { MAX_PDQ_DISTANCE } from '../../lookup/limits.js'
import type { HashSummary, LookupMatch, LookupResult, OpinionTally } from '../../node/interface.js'
import { parseSignalValue } from '../../signals/hex.js'
import { CONTENT_ID_PATTERN, MAX_CONTENT_ID_CHARS } from '../../store/contentId.js'
import { type CliContext, aligned, printJson, printLines } from '../context.js'
import { CliError } from '../errors.js'
import { EXIT } from '../exitCodes.js'
import { NodeClient } from '../nodeClient.js'
import { locateNode } from '../nodeLocator.js'
import { type ClientOptions, clientOptions, jsonOption } from '../options.js'

interface LookupOptions extends ClientOptions {
  maxDistance?: number
  contentId?: string
}

/** A content id is checked here too, so a typo is a usage error before any node is asked. */
export function parseContentId (text: string): string {
  if (!CONTENT_ID_PATTERN.test(text)) throw new CliError('USAGE', `--content-id must be 1-${MAX_CONTENT_ID_CHARS} printable characters`)
  return text
}

export function contentIdOption (): Option {
  return new Option('--content-id <id>', 'your id of the content checked: a match is recorded in the node\'s match log under it').argParser(parseContentId)
}

/** Names for a PDQ match's `variant` (the order the queried forms were sent in), when there are any. */
export type VariantNames = readonly string[] | undefined

/** The three answers a lookup gives, in the words the first line uses. */
export function verdictText (r: { listed: boolean, match: boolean }): string {
  return r.match ? 'match' : r.listed ? 'listed, no match' : 'not listed'
}

function nearRows (m: LookupMatch, variants: VariantNames): Array<[string, string]> {
  if (m.distance === undefined) return []
  const as = m.variant === undefined || variants === undefined ? '' : ` (as ${variants[m.variant] ?? m.variant})`
  return [['distance', `${m.distance}${as}`], ['value', m.value ?? '']]
}

/** Who the entry is from: the organisation its credential names, and how it stands now. */
function whoText (m: LookupMatch): string {
  return m.organisation === undefined ? m.standing : `${m.organisation}, ${m.standing}`
}

function matchLines (m: LookupMatch, variants: VariantNames): string[] {
  return [
    `    publisher ${m.publisher} (${whoText(m)})` +
    `${m.current ? '' : ' (superseded by a later entry)'}${m.publisherEquivocating ? ' (publisher EQUIVOCATING)' : ''}`,
    ...aligned([
      ...nearRows(m, variants),
      ['labels', m.labels.length > 0 ? m.labels.join(';') : '-'],
      ['batch id', m.batchId],
      ['seq', String(m.seq)],
      ['action', m.action],
      ...(m.reason === undefined ? [] : [['reason', m.reason] as [string, string]]),
      ['receivedAt', m.receivedAt]
    ], '      ')
  ]
}

function tallyText (t: OpinionTally, name: string): string {
  return t.count === 0 ? `0 ${name}` : `${t.count} ${name} (${t.organisations.join(', ')})`
}

function organisationsText (refs: ReadonlyArray<{ publisher: string, organisation?: string }>): string {
  return refs.length === 0 ? '-' : [...new Set(refs.map(r => r.organisation ?? r.publisher))].join(', ')
}

/** One stored hash: the verdict and its reasons first, then what they rest on. */
export function formatHashSummary (h: HashSummary): string[] {
  const { confirm, falsePositive, dispute } = h.opinions
  const rows: Array<[string, string]> = [
    ...h.reasons.map((reason, i) => [i === 0 ? 'why' : '', reason] as [string, string]),
    ['listed by', organisationsText(h.addedBy)],
    ...(h.retractedBy.length > 0 ? [['retracted by', organisationsText(h.retractedBy)] as [string, string]] : []),
    ['opinions', `${tallyText(confirm, 'confirm')}, ${tallyText(falsePositive, 'false positive')}, ${tallyText(dispute, 'dispute')}`],
    ...(h.disputed ? [['disputed', 'yes'] as [string, string]] : []),
    ...(h.allowlisted === undefined
      ? []
      : [['allowlisted', `by ${h.allowlisted.author} at ${h.allowlisted.addedAt}: ${h.allowlisted.note}`] as [string, string]])
  ]
  const near = h.distance === undefined ? '' : `, distance ${h.distance}`
  return [`  hash ${h.value}${near}: ${h.match ? 'MATCH' : 'no match'}`, ...aligned(rows, '    ')]
}

export function formatLookup (r: LookupResult, variants?: VariantNames): string[] {
  const near = r.maxDistance === undefined ? '' : ` within distance ${r.maxDistance}${r.truncated === true ? ' (the nearest only; more matched)' : ''}`
  return [
    `${verdictText(r)}: ${r.type} ${r.value}${near}`,
    ...r.hashes.flatMap(h => [
      ...formatHashSummary(h),
      ...r.matches.filter(m => (m.value ?? r.value) === h.value).flatMap(m => matchLines(m, variants))
    ])
  ]
}

/** Where a recorded match can be acted on. */
export function recordedLine (matchId: string | undefined): string[] {
  return matchId === undefined ? [] : [`recorded as ${matchId} (hashmesh matches act ${matchId} --action …)`]
}

export function parseMaxDistance (text: string): number {
  if (!/^\d{1,3}$/.test(text) || Number(text) > MAX_PDQ_DISTANCE) {
    throw new CliError('USAGE', `--max-distance must be an integer 0-${MAX_PDQ_DISTANCE}, got ${text.slice(0, 20)}`)
  }
  return Number(text)
}

export function maxDistanceOption (): Option {
  return new Option('--max-distance <n>', 'pdq: Hamming distance searched (default 31)').argParser(parseMaxDistance)
}

export function register (program: Command, ctx: CliContext): void {
  clientOptions(program.command('lookup')
    .description('does this node match this hash? exit 0 for a match, 1 if not listed or local policy refuses it; pdq also finds stored hashes near it')
    .argument('<type>', 'md5, sha1, sha256 or pdq')
    .argument('<value>', 'the hash, hex')
    .addOption(maxDistanceOption())
    .addOption(contentIdOption()))
    .addOption(jsonOption())
    .action(async (type: string, value: string, opts: LookupOptions) => {
      // Checked here too, so a typo is a usage error even when no node is running.
      const parsed = parseSignalValue(type, value)
      if (opts.maxDistance !== undefined && parsed.type.name !== 'pdq') {
        throw new CliError('USAGE', `--max-distance applies to pdq; ${parsed.type.name} is matched exactly`)
      }
      const result = await new NodeClient(await locateNode(opts, ctx.env, 'read')).lookup(type, value, opts.maxDistance, opts.contentId)
      ctx.exitCode = result.match ? EXIT.OK : EXIT.NOT_FOUND
      if (opts.json === true) printJson(ctx, result)
      else printLines(ctx, [...formatLookup(result), ...recordedLine(result.matchId)])
    })
}
