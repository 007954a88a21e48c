import type { Command } from 'commander'
import type { EquivocationInfo } from '../../node/interface.js'
import { type CliContext, aligned, printJson, printLines } from '../context.js'
import { NodeClient } from '../nodeClient.js'
import { locateNode } from '../nodeLocator.js'
import { type ClientOptions, clientOptions, jsonOption } from '../options.js'

function batchText (b: EquivocationInfo['batchA']): string {
  return `${b.batchId} (seq ${b.seq})`
}

/** An undecided equivocation freezes the publisher, so its line says how to unfreeze it. */
function decisionText (e: EquivocationInfo): string {
  return e.decision === 'undecided' ? `undecided (hashmesh decide ${e.publisher} follow-stored|block)` : e.decision
}

export function formatEquivocation (e: EquivocationInfo): string[] {
  return [
    `publisher ${e.publisher}`,
    ...aligned([
      ['fork seq', String(e.forkSeq)],
      ['batch A', batchText(e.batchA)],
      ['batch B', batchText(e.batchB)],
      ['detected at', e.detectedAt],
      ['decision', decisionText(e)]
    ], '  ')
  ]
}

export function formatEquivocations (list: readonly EquivocationInfo[]): string[] {
  return list.length === 0 ? ['none'] : list.flatMap(formatEquivocation)
}

export function register (program: Command, ctx: CliContext): void {
  clientOptions(program.command('equivocations')
    .description('publishers caught signing two conflicting batches, and what was decided about each'))
    .addOption(jsonOption())
    .action(async (opts: ClientOptions) => {
      const equivocations = await new NodeClient(await locateNode(opts, ctx.env, 'read')).equivocations()
      if (opts.json === true) printJson(ctx, { equivocations })
      else printLines(ctx, formatEquivocations(equivocations))
    })
}
