import type { Command } from 'commander'
import { resolveDataDir } from '../../config/loadConfig.js'
import { initDataDir } from '../../node/dataDir.js'
import { toHex } from '../../signals/hex.js'
import { type CliContext, aligned, printJson, printLines } from '../context.js'
import { dataOption, jsonOption } from '../options.js'

export function register (program: Command, ctx: CliContext): void {
  program.command('init')
    .description('create the data directory: publisher key, peer key and admin token (keeps existing ones)')
    .addOption(dataOption())
    .addOption(jsonOption())
    .action(async (opts: { data?: string, json?: boolean }) => {
      const dataDir = await initDataDir(await resolveDataDir(opts.data, ctx.env))
      const result = { publisherKey: toHex(dataDir.publisherKey.publicKey), peerId: dataDir.peerId, dataDir: dataDir.paths.root }
      if (opts.json === true) return printJson(ctx, result)
      printLines(ctx, [
        ...aligned([['publisher key', result.publisherKey], ['peer id', result.peerId], ['data dir', result.dataDir]]),
        '',
        'In a forum, the operator admits the publisher key (hashmesh forum admit); without one, give it to the members who should trust your batches (their --trust),',
        'and your peer id with an address to those who bootstrap from you.'
      ])
    })
}
