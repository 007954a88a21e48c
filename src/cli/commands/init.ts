import type { Command } from 'commander'
import { CONFIG_FILE_VAR } from '../../config/env.js'
import { loadConfig } from '../../config/loadConfig.js'
import { initDataDir } from '../../node/dataDir.js'
import { toHex } from '../../signals/hex.js'
import { type CliContext, aligned, printJson, printLines } from '../context.js'
import { collect, dataOption, jsonOption } from '../options.js'

interface InitOptions {
  data?: string
  config?: string
  forumRoot?: string[]
  json?: boolean
}

/** What to do with the new keys depends on how batches are accepted: by the forum's roots, or by each peer's trust list. */
function nextSteps (inForum: boolean): string[] {
  const bootstrap = 'Give your peer id, with an address, to the members who bootstrap from you.'
  if (inForum) {
    return [
      'Send the publisher key to the forum\'s operator to be admitted (they run hashmesh forum admit KEY ...),',
      'then run hashmesh join FILE with the credential they send back; until then peers refuse your batches.',
      bootstrap
    ]
  }
  return ['Give the publisher key to the members who should trust your batches (their --trust).', bootstrap]
}

export function register (program: Command, ctx: CliContext): void {
  program.command('init')
    .description('create the data directory: publisher key, peer key, admin and read tokens (keeps existing ones)')
    .addOption(dataOption())
    .option('--config <file>', `config file the node will run with (default: $${CONFIG_FILE_VAR}); its forum roots shape the advice`)
    .option('--forum-root <pubkey>', 'a forum root the node will run with (repeatable), as for start', collect)
    .addOption(jsonOption())
    .action(async (opts: InitOptions) => {
      const config = await loadConfig({ configFile: opts.config, env: ctx.env, flags: { dataDir: opts.data, forumRoots: opts.forumRoot } })
      const dataDir = await initDataDir(config.node.dataDir)
      const result = { publisherKey: toHex(dataDir.publisherKey.publicKey), peerId: dataDir.peerId, dataDir: dataDir.paths.root }
      if (opts.json === true) return printJson(ctx, result)
      printLines(ctx, [
        ...aligned([['publisher key', result.publisherKey], ['peer id', result.peerId], ['data dir', result.dataDir]]),
        '',
        ...nextSteps(config.node.forum.roots.length > 0)
      ])
    })
}
