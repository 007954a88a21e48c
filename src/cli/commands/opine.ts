import { Argument, type Command, Option } from 'commander'
import type { ActionName, EntryInput, PublishResult } from '../../node/interface.js'
import { parseSignalValue } from '../../signals/hex.js'
import { REASON_PATTERN } from '../../wire/limits.js'
import { type CliContext, printJson, printLines } from '../context.js'
import { CliError } from '../errors.js'
import { NodeClient } from '../nodeClient.js'
import { locateNode } from '../nodeLocator.js'
import { type ClientOptions, clientOptions, jsonOption } from '../options.js'

/** Written as a record so that an opinion added to the wire's actions is a compile error until listed here. */
const OPINIONS: Readonly<Record<Exclude<ActionName, 'add' | 'retract'>, string>> = {
  confirm: 'this organisation checked the content and agrees with the listing',
  false_positive: 'the content is not what the listing says',
  dispute: 'the listing is contested; reviewers should look again',
  withdraw: 'clear this organisation\'s earlier opinion'
}

type Opinion = keyof typeof OPINIONS

interface OpineOptions extends ClientOptions {
  reason?: string
}

function parseReason (text: string): string {
  if (!REASON_PATTERN.test(text)) {
    throw new CliError('USAGE',
      `--reason must be a code of 1-32 of a-z 0-9 _ . - starting with a letter or digit (e.g. not_violating), got ${JSON.stringify(text.slice(0, 40))}`)
  }
  return text
}

export function formatOpinion (entry: EntryInput, r: PublishResult): string[] {
  const reason = entry.reason === undefined ? '' : ` (${entry.reason})`
  return [`${entry.action ?? 'add'}${reason}: ${entry.type} ${entry.value}`, `  batch ${r.batchId} seq ${r.seq}, sent to ${r.recipients} peer(s)`]
}

export function register (program: Command, ctx: CliContext): void {
  clientOptions(program.command('opine')
    .description('publish this node\'s opinion of a hash others listed: a one-entry signed batch, gossiped like any other')
    .argument('<type>', 'md5, sha1, sha256 or pdq')
    .argument('<value>', 'the hash, hex')
    .addArgument(new Argument('<opinion>', Object.entries(OPINIONS).map(([k, v]) => `${k}: ${v}`).join('; ')).choices(Object.keys(OPINIONS)))
    .addOption(new Option('--reason <code>', 'a short machine-readable reason, e.g. not_violating, wrong_label').argParser(parseReason)))
    .addOption(jsonOption())
    .action(async (type: string, value: string, opinion: Opinion, opts: OpineOptions) => {
      // Checked here too, so a typo is a usage error even when no node is running.
      const parsed = parseSignalValue(type, value)
      const entry: EntryInput = { type: parsed.type.name, value: value.toLowerCase(), action: opinion,
        ...(opts.reason === undefined ? {} : { reason: opts.reason }) }
      const result = await new NodeClient(await locateNode(opts, ctx.env, 'admin')).publish([entry])
      if (opts.json === true) printJson(ctx, result)
      else printLines(ctx, formatOpinion(entry, result))
    })
}
