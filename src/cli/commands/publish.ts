import { type Command, Option } from 'commander'
import type { PublishResult } from '../../node/interface.js'
import { type CliContext, printJson, printLines } from '../context.js'
import { CliError } from '../errors.js'
import { type InputBatch, splitIntoBatches } from '../input/batchSplitter.js'
import { DEFAULT_INPUT_BOUND, DEFAULT_MAX_ENTRIES, type InputBound, MAX_MAX_ENTRIES, boundedRows } from '../input/inputBound.js'
import { openInput } from '../input/inputSource.js'
import { INPUT_FORMATS, type InputFormat, readEntries } from '../input/readEntries.js'
import { NodeClient } from '../nodeClient.js'
import { locateNode } from '../nodeLocator.js'
import { type ClientOptions, clientOptions, jsonOption } from '../options.js'

interface PublishOptions extends ClientOptions {
  format?: InputFormat
  maxEntries?: number
}

function parseMaxEntries (text: string): number {
  if (!/^\d{1,7}$/.test(text) || Number(text) < 1 || Number(text) > MAX_MAX_ENTRIES) {
    throw new CliError('USAGE', `--max-entries must be an integer 1-${MAX_MAX_ENTRIES}, got ${text.slice(0, 20)}`)
  }
  return Number(text)
}

/**
 * Reads the input once and checks all of it before anything is sent: a bad line far down, or a
 * file that changes while it is read, cannot leave part of it published.
 */
async function readAllBatches (file: string, format: InputFormat | undefined, bound: InputBound): Promise<InputBatch[]> {
  const { name, stream } = await openInput(file)
  const batches: InputBatch[] = []
  for await (const batch of splitIntoBatches(boundedRows(readEntries(stream, name, format), name, bound))) batches.push(batch)
  if (batches.length === 0) throw new CliError('BAD_INPUT', `${name}: no entries`)
  return batches
}

function total (results: readonly PublishResult[]): { batches: number, entries: number } {
  return { batches: results.length, entries: results.reduce((n, r) => n + r.entries, 0) }
}

/** Only the node can fail now; what it took before failing stays published, and is reported. */
async function publishAll (client: NodeClient, batches: readonly InputBatch[], onBatch: (r: PublishResult) => void): Promise<PublishResult[]> {
  const results: PublishResult[] = []
  try {
    for (const batch of batches) {
      const result = await client.publish(batch.entries)
      results.push(result)
      onBatch(result)
    }
  } catch (err) {
    if (results.length === 0) throw err
    const done = total(results)
    throw new CliError('PUBLISH_INCOMPLETE',
      `${done.batches} batch(es) with ${done.entries} entries were published before this failure: ${(err as Error).message}`,
      { cause: err, details: { batches: results, total: done } })
  }
  return results
}

/** One line per batch as it is published, every figure named: scripts that want fields use --json. */
function batchLine (r: PublishResult): string {
  return `batch ${r.batchId}  seq ${r.seq}  entries ${r.entries}  sent to ${r.recipients} peer(s)${r.recipients === 0 ? ' (stored; peers get it by sync)' : ''}`
}

export function register (program: Command, ctx: CliContext): void {
  clientOptions(program.command('publish')
    .description('sign and publish the hashes in a CSV (type,value,labels[,action][,reason]) or JSONL file, in batches; an action may be an opinion ' +
      '(confirm, false_positive, dispute, withdraw). The whole input is read and checked before the first batch is sent')
    .argument('<file>', 'input file, or - for stdin')
    .addOption(new Option('--format <format>', 'input format (default: from the extension, else sniffed)').choices(INPUT_FORMATS))
    .addOption(new Option('--max-entries <n>',
      `refuse an input of more entries than this, as it is held in memory until checked (1-${MAX_MAX_ENTRIES}, default ${DEFAULT_MAX_ENTRIES})`)
      .argParser(parseMaxEntries)))
    .addOption(jsonOption())
    .action(async (file: string, opts: PublishOptions) => {
      const client = new NodeClient(await locateNode(opts, ctx.env, 'admin'))
      const batches = await readAllBatches(file, opts.format, { ...DEFAULT_INPUT_BOUND, maxEntries: opts.maxEntries ?? DEFAULT_MAX_ENTRIES })
      const json = opts.json === true
      const results = await publishAll(client, batches, r => {
        if (!json) printLines(ctx, [batchLine(r)])
      })
      const sum = total(results)
      if (json) printJson(ctx, { batches: results, total: sum })
      else printLines(ctx, [`total: ${sum.batches} batch(es), ${sum.entries} entries`])
    })
}
