import { open } from 'node:fs/promises'
import { type Command, Option } from 'commander'
import type { PublishResult } from '../../node/interface.js'
import { type CliContext, printJson, printLines } from '../context.js'
import { CliError } from '../errors.js'
import { splitIntoBatches } from '../input/batchSplitter.js'
import { INPUT_FORMATS, type InputFormat, readEntries } from '../input/readEntries.js'
import { NodeClient } from '../nodeClient.js'
import { locateNode } from '../nodeLocator.js'
import { type ClientOptions, clientOptions, jsonOption } from '../options.js'

interface PublishOptions extends ClientOptions {
  format?: InputFormat
}

type Source = () => Promise<{ name: string, stream: AsyncIterable<Buffer | string> }>

function sourceOf (file: string): Source {
  if (file === '-') return async () => ({ name: 'stdin', stream: process.stdin })
  return async () => {
    try {
      return { name: file, stream: (await open(file)).createReadStream() }
    } catch (err) {
      throw new CliError('BAD_INPUT', `cannot read ${file}: ${(err as Error).message}`, { cause: err })
    }
  }
}

function noEntries (name: string): CliError {
  return new CliError('BAD_INPUT', `${name}: no entries`)
}

/** A file can be read twice: check every line first, so a typo near the end publishes nothing. */
async function checkAll (source: Source, format: InputFormat | undefined): Promise<void> {
  const { name, stream } = await source()
  let entries = 0
  for await (const _row of readEntries(stream, name, format)) entries++
  if (entries === 0) throw noEntries(name)
}

function total (results: readonly PublishResult[]): { batches: number, entries: number } {
  return { batches: results.length, entries: results.reduce((n, r) => n + r.entries, 0) }
}

async function publishAll (client: NodeClient, source: Source, format: InputFormat | undefined, onBatch: (r: PublishResult) => void): Promise<PublishResult[]> {
  const { name, stream } = await source()
  const results: PublishResult[] = []
  try {
    for await (const batch of splitIntoBatches(readEntries(stream, name, format))) {
      const result = await client.publish(batch.entries)
      results.push(result)
      onBatch(result)
    }
  } catch (err) {
    if (results.length === 0) throw err
    const done = total(results)
    throw new CliError('PUBLISH_INCOMPLETE', `${done.batches} batch(es) with ${done.entries} entries were published before this failure: ${(err as Error).message}`, { cause: err, details: { batches: results, total: done } })
  }
  if (results.length === 0) throw noEntries(name)
  return results
}

/** One line per batch as it is published, every figure named: scripts that want fields use --json. */
export function batchLine (r: PublishResult): string {
  return `batch ${r.batchId}  seq ${r.seq}  entries ${r.entries}  sent to ${r.recipients} peer(s)${r.recipients === 0 ? ' (stored; peers get it by sync)' : ''}`
}

export function register (program: Command, ctx: CliContext): void {
  clientOptions(program.command('publish')
    .description('sign and publish the hashes in a CSV (type,value,labels[,action][,reason]) or JSONL file, in batches; an action may be an opinion (confirm, false_positive, dispute, withdraw)')
    .argument('<file>', 'input file, or - for stdin')
    .addOption(new Option('--format <format>', 'input format (default: from the extension, else sniffed)').choices(INPUT_FORMATS)))
    .addOption(jsonOption())
    .action(async (file: string, opts: PublishOptions) => {
      const client = new NodeClient(await locateNode(opts, ctx.env, 'admin'))
      const source = sourceOf(file)
      if (file !== '-') await checkAll(source, opts.format)
      const json = opts.json === true
      const results = await publishAll(client, source, opts.format, r => {
        if (!json) printLines(ctx, [batchLine(r)])
      })
      const sum = total(results)
      if (json) printJson(ctx, { batches: results, total: sum })
      else printLines(ctx, [`total: ${sum.batches} batch(es), ${sum.entries} entries`])
    })
}
