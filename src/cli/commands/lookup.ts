import { Option, type Command } from 'commander'
import { MAX_PDQ_DISTANCE } from '../../lookup/limits.js'
import type { LookupMatch, LookupResult } from '../../node/interface.js'
import { parseSignalValue } from '../../signals/hex.js'
import { type CliContext, aligned, printJson, printLines } from '../context.js'
import { CliError } from '../errors.js'
import { EXIT } from '../exitCodes.js'
import { NodeClient } from '../nodeClient.js'
import { locateNode } from '../nodeLocator.js'
import { type ClientOptions, dataOption, jsonOption, nodeOption } from '../options.js'

interface LookupOptions extends ClientOptions {
  maxDistance?: number
}

/** Names for a PDQ match's `variant` (the order the queried forms were sent in), when there are any. */
export type VariantNames = readonly string[] | undefined

function nearRows (m: LookupMatch, variants: VariantNames): Array<[string, string]> {
  if (m.distance === undefined) return []
  const as = m.variant === undefined || variants === undefined ? '' : ` (as ${variants[m.variant] ?? m.variant})`
  return [['distance', `${m.distance}${as}`], ['value', m.value ?? '']]
}

function matchLines (m: LookupMatch, variants: VariantNames): string[] {
  return [
    `  publisher ${m.publisher}${m.current ? '' : ' (superseded by a later entry)'}${m.publisherEquivocating ? ' (publisher EQUIVOCATING)' : ''}`,
    ...aligned([
      ...nearRows(m, variants),
      ['labels', m.labels.length > 0 ? m.labels.join(';') : '-'],
      ['batch id', m.batchId],
      ['seq', String(m.seq)],
      ['action', m.action],
      ['receivedAt', m.receivedAt]
    ], '    ')
  ]
}

export function formatLookup (r: LookupResult, variants?: VariantNames): string[] {
  const near = r.maxDistance === undefined ? '' : ` within distance ${r.maxDistance}${r.truncated === true ? ' (the nearest only; more matched)' : ''}`
  return [`${r.listed ? 'listed' : 'not listed'}: ${r.type} ${r.value}${near}`, ...r.matches.flatMap(m => matchLines(m, variants))]
}

export function parseMaxDistance (text: string): number {
  if (!/^\d{1,3}$/.test(text) || Number(text) > MAX_PDQ_DISTANCE) throw new CliError('USAGE', `--max-distance must be an integer 0-${MAX_PDQ_DISTANCE}, got ${text.slice(0, 20)}`)
  return Number(text)
}

export function maxDistanceOption (): Option {
  return new Option('--max-distance <n>', 'pdq: Hamming distance searched (default 31)').argParser(parseMaxDistance)
}

export function register (program: Command, ctx: CliContext): void {
  program.command('lookup')
    .description('is this hash listed? exit 0 if listed, 1 if not; pdq also finds stored hashes near it')
    .argument('<type>', 'md5, sha1, sha256 or pdq')
    .argument('<value>', 'the hash, hex')
    .addOption(maxDistanceOption())
    .addOption(dataOption())
    .addOption(nodeOption())
    .addOption(jsonOption())
    .action(async (type: string, value: string, opts: LookupOptions) => {
      // Checked here too, so a typo is a usage error even when no node is running.
      const parsed = parseSignalValue(type, value)
      if (opts.maxDistance !== undefined && parsed.type.name !== 'pdq') throw new CliError('USAGE', `--max-distance applies to pdq; ${parsed.type.name} is matched exactly`)
      const result = await new NodeClient(await locateNode(opts, ctx.env, false)).lookup(type, value, opts.maxDistance)
      ctx.exitCode = result.listed ? EXIT.OK : EXIT.NOT_FOUND
      if (opts.json === true) printJson(ctx, result)
      else printLines(ctx, formatLookup(result))
    })
}
