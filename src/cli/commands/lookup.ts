import type { Command } from 'commander'
import type { LookupMatch, LookupResult } from '../../node/interface.js'
import { parseSignalValue } from '../../signals/hex.js'
import { type CliContext, aligned, printJson, printLines } from '../context.js'
import { EXIT } from '../exitCodes.js'
import { NodeClient } from '../nodeClient.js'
import { locateNode } from '../nodeLocator.js'
import { type ClientOptions, dataOption, jsonOption, nodeOption } from '../options.js'

function matchLines (m: LookupMatch): string[] {
  return [
    `  publisher ${m.publisher}${m.current ? '' : ' (superseded by a later entry)'}${m.publisherEquivocating ? ' (publisher EQUIVOCATING)' : ''}`,
    ...aligned([
      ['labels', m.labels.length > 0 ? m.labels.join(';') : '-'],
      ['batch id', m.batchId],
      ['seq', String(m.seq)],
      ['action', m.action],
      ['receivedAt', m.receivedAt]
    ], '    ')
  ]
}

export function formatLookup (r: LookupResult): string[] {
  return [`${r.listed ? 'listed' : 'not listed'}: ${r.type} ${r.value}`, ...r.matches.flatMap(matchLines)]
}

export function register (program: Command, ctx: CliContext): void {
  program.command('lookup')
    .description('is this hash listed? exit 0 if listed, 1 if not')
    .argument('<type>', 'md5, sha1, sha256 or pdq')
    .argument('<value>', 'the hash, hex')
    .addOption(dataOption())
    .addOption(nodeOption())
    .addOption(jsonOption())
    .action(async (type: string, value: string, opts: ClientOptions) => {
      // Checked here too, so a typo is a usage error even when no node is running.
      parseSignalValue(type, value)
      const result = await new NodeClient(await locateNode(opts, ctx.env, false)).lookup(type, value)
      ctx.exitCode = result.listed ? EXIT.OK : EXIT.NOT_FOUND
      if (opts.json === true) printJson(ctx, result)
      else printLines(ctx, formatLookup(result))
    })
}
