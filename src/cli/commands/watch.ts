import { lstat, opendir } from 'node:fs/promises'
import { join, relative, sep } from 'node:path'
import { type Command, Option } from 'commander'
import type { WatchAddResult, WatchItemInput, WatchPage, WatchedItemView } from '../../node/watchApi.js'
import { CONTENT_ID_PATTERN, MAX_CONTENT_ID_CHARS } from '../../store/contentId.js'
import { MAX_WATCH_ITEMS_PER_REQUEST } from '../../watch/watchInput.js'
import { type CliContext, printJson, printLines } from '../context.js'
import { CliError } from '../errors.js'
import { EXIT } from '../exitCodes.js'
import { readLocalFile } from '../input/fileBytes.js'
import { openInput } from '../input/inputSource.js'
import { watchCsvChunks } from '../input/watchCsv.js'
import { NodeClient } from '../nodeClient.js'
import { locateNode } from '../nodeLocator.js'
import { type ClientOptions, clientOptions, jsonOption } from '../options.js'

/** Refused lines printed one by one; past this only their count. */
const MAX_REFUSALS_SHOWN = 100

/** Items one `watch list` page asks for by default. */
const DEFAULT_LIST_LIMIT = 100

interface Totals extends WatchAddResult { requests: number, refused: number }

function emptyTotals (): Totals {
  return { added: 0, replaced: 0, matched: 0, requests: 0, refused: 0 }
}

/** Sends one request's items and adds what the node says to the totals. */
async function send (client: NodeClient, items: WatchItemInput[], totals: Totals): Promise<void> {
  const r = await client.call<WatchAddResult>('POST', '/v1/watch', { items })
  totals.added += r.added
  totals.replaced += r.replaced
  totals.matched += r.matched
  totals.requests++
}

function report (ctx: CliContext, totals: Totals, json: boolean | undefined): void {
  if (json === true) printJson(ctx, totals)
  else {
    printLines(ctx, [
      `watched: ${totals.added} added, ${totals.replaced} replaced, in ${totals.requests} request${totals.requests === 1 ? '' : 's'}`,
      `already listed (a match event was emitted for each): ${totals.matched}`,
      ...(totals.refused > 0 ? [`refused: ${totals.refused} (see above)`] : [])
    ])
  }
  const lines = `${totals.refused} input line${totals.refused === 1 ? ' was' : 's were'}`
  if (totals.refused > 0) throw new CliError('BAD_INPUT', `${lines} refused; the rest are watched`)
}

function refuse (ctx: CliContext, totals: Totals, message: string): void {
  totals.refused++
  if (totals.refused <= MAX_REFUSALS_SHOWN) ctx.terminal.err(`hashmesh: ${message}\n`)
  else if (totals.refused === MAX_REFUSALS_SHOWN + 1) ctx.terminal.err('hashmesh: more refused lines follow; only their count is shown\n')
}

/** Regular files under `dir`, depth first, in name order; symlinks and anything not a file are skipped. */
async function * filesUnder (dir: string): AsyncGenerator<string> {
  const entries: string[] = []
  for await (const entry of await opendir(dir)) entries.push(entry.name)
  entries.sort()
  for (const name of entries) {
    const path = join(dir, name)
    // lstat: a symlink is never followed, so nothing outside DIR is read, and a loop cannot trap the walk.
    const info = await lstat(path)
    if (info.isDirectory()) yield * filesUnder(path)
    else if (info.isFile()) yield path
  }
}

/** A file's item: its path under DIR ('/'-separated) as the id; its exact hashes, and its PDQ if an image of enough quality. */
async function scannedItem (root: string, path: string): Promise<WatchItemInput> {
  const id = relative(root, path).split(sep).join('/')
  if (!CONTENT_ID_PATTERN.test(id)) {
    throw new CliError('BAD_INPUT', `${path}: its relative path is not a content id (1-${MAX_CONTENT_ID_CHARS} printable characters)`)
  }
  // Loaded here: the image decoder (sharp) is heavy, and only scan needs it.
  const { PDQ_QUALITY_THRESHOLD, hashFile } = await import('../../hashing/fileHasher.js')
  const h = await hashFile(await readLocalFile(path))
  const usablePdq = h.pdq !== undefined && h.pdq.quality >= PDQ_QUALITY_THRESHOLD
  return { id, hashes: { md5: h.md5, sha1: h.sha1, sha256: h.sha256, ...(usablePdq ? { pdq: h.pdq!.hash } : {}) } }
}

function itemLine (i: WatchedItemView): string {
  const hashes = Object.entries(i.hashes).map(([t, v]) => `${t}:${v}`).join(' ')
  return `${i.id}  ${hashes}  ${i.matched.length === 0 ? 'not matched' : `matched ${i.matched.length}`}`
}

function parseLimit (text: string): number {
  if (!/^\d{1,4}$/.test(text) || Number(text) < 1 || Number(text) > 1000) {
    throw new CliError('USAGE', `--limit must be an integer 1-1000, got ${text.slice(0, 20)}`)
  }
  return Number(text)
}

function clientCommand (parent: Command, name: string): Command {
  return clientOptions(parent.command(name)).addOption(jsonOption())
}

export function register (program: Command, ctx: CliContext): void {
  const watch = program.command('watch')
    .description('content this platform hosts, matched when a hash arrives later (kept on this node, never shared)')

  clientCommand(watch, 'add')
    .description(`register the items of a CSV (content_id,type,value; an item's rows adjacent), in requests of ${MAX_WATCH_ITEMS_PER_REQUEST}; ` +
      'a bad line is named and skipped (exit 2 at the end)')
    .argument('<file>', 'the CSV, or - for stdin')
    .action(async (file: string, opts: ClientOptions) => {
      const client = new NodeClient(await locateNode(opts, ctx.env, 'admin'))
      const { name, stream } = await openInput(file)
      const totals = emptyTotals()
      for await (const out of watchCsvChunks(stream, name)) {
        if ('refused' in out) refuse(ctx, totals, out.refused.message)
        else await send(client, out.items, totals)
      }
      report(ctx, totals, opts.json)
    })

  clientCommand(watch, 'scan')
    .description('hash every file under DIR here (md5, sha1, sha256, and PDQ for images) and register it, its path under DIR as its id')
    .argument('<dir>', 'the directory; symlinks are not followed')
    .action(async (dir: string, opts: ClientOptions) => {
      const client = new NodeClient(await locateNode(opts, ctx.env, 'admin'))
      const totals = emptyTotals()
      let items: WatchItemInput[] = []
      for await (const path of filesUnder(dir)) {
        try {
          items.push(await scannedItem(dir, path))
        } catch (err) {
          refuse(ctx, totals, err instanceof Error ? err.message : String(err))
          continue
        }
        if (items.length === MAX_WATCH_ITEMS_PER_REQUEST) {
          await send(client, items, totals)
          items = []
        }
      }
      if (items.length > 0) await send(client, items, totals)
      report(ctx, totals, opts.json)
    })

  clientCommand(watch, 'remove')
    .description('stop watching these items; exit 1 if one was not watched')
    .argument('<id...>', 'content ids')
    .action(async (ids: string[], opts: ClientOptions) => {
      const client = new NodeClient(await locateNode(opts, ctx.env, 'admin'))
      const removed: string[] = []
      const missing: string[] = []
      for (const id of ids) {
        if (!CONTENT_ID_PATTERN.test(id)) throw new CliError('USAGE', `content id must be 1-${MAX_CONTENT_ID_CHARS} printable characters`)
        const found = await client.call<unknown>('DELETE', `/v1/watch/${encodeURIComponent(id)}`).then(() => true, (err: unknown) => {
          if ((err as { status?: number }).status === 404) return false
          throw err
        })
        ;(found ? removed : missing).push(id)
      }
      if (opts.json === true) printJson(ctx, { removed, missing })
      else printLines(ctx, [...removed.map(id => `removed: ${id}`), ...missing.map(id => `not watched: ${id}`)])
      if (missing.length > 0) ctx.exitCode = EXIT.NOT_FOUND
    })

  clientCommand(watch, 'list')
    .description('how many items are watched, and one page of them in id order')
    .addOption(new Option('--after <id>', 'the page after this id (what the previous page printed as next)'))
    .addOption(new Option('--limit <n>', 'items per page, 1-1000').argParser(parseLimit))
    .action(async (opts: ClientOptions & { after?: string, limit?: number }) => {
      const query = new URLSearchParams()
      if (opts.after !== undefined) query.set('after', opts.after)
      query.set('limit', String(opts.limit ?? DEFAULT_LIST_LIMIT))
      const page = await new NodeClient(await locateNode(opts, ctx.env, 'admin')).call<WatchPage>('GET', `/v1/watch?${query.toString()}`)
      if (opts.json === true) printJson(ctx, page)
      const next = page.next === undefined ? [] : [`next: --after ${JSON.stringify(page.next)}`]
      if (opts.json !== true) printLines(ctx, [`watched items: ${page.count}`, ...page.items.map(itemLine), ...next])
    })
}
