import { Argument, type Command } from 'commander'
import { EQUIVOCATION_DECISIONS } from '../../api/schemas.js'
import type { EquivocationDecision } from '../../node/interface.js'
import { parseHexBytes } from '../../signals/hex.js'
import { PUBLIC_KEY_BYTES } from '../../wire/limits.js'
import { type CliContext, printJson, printLines } from '../context.js'
import { CliError } from '../errors.js'
import { NodeClient } from '../nodeClient.js'
import { locateNode } from '../nodeLocator.js'
import { type ClientOptions, clientOptions, jsonOption } from '../options.js'
import { formatEquivocation } from './equivocations.js'

export function register (program: Command, ctx: CliContext): void {
  clientOptions(program.command('decide')
    .description('decide about a publisher caught equivocating; exit 1 if none is recorded for it')
    .argument('<publisher>', 'the publisher key, hex')
    .addArgument(new Argument('<decision>', 'follow-stored: accept again the chain this node holds; block: accept nothing from the fork on')
      .choices(EQUIVOCATION_DECISIONS)))
    .addOption(jsonOption())
    .action(async (publisher: string, decision: EquivocationDecision, opts: ClientOptions) => {
      // Checked here too, so a typo is a usage error even when no node is running.
      if (parseHexBytes(publisher, PUBLIC_KEY_BYTES) === undefined) throw new CliError('USAGE', `publisher key must be ${PUBLIC_KEY_BYTES * 2} hex characters`)
      const info = await new NodeClient(await locateNode(opts, ctx.env, 'admin')).decide(publisher, decision)
      if (opts.json === true) printJson(ctx, info)
      else printLines(ctx, formatEquivocation(info))
    })
}
