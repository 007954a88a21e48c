import { type Command, Option } from 'commander'
import { APPEAL_NOTE_PATTERN, APPEAL_REASON_PATTERN } from '../../matches/matchInput.js'
import type { AppealResult } from '../../node/matchesApi.js'
import { MAX_APPEAL_NOTE_CHARS } from '../../store/matchRecords.js'
import { type CliContext, printJson, printLines } from '../context.js'
import { CliError } from '../errors.js'
import { NodeClient } from '../nodeClient.js'
import { localActor, locateNode } from '../nodeLocator.js'
import { type ClientOptions, clientOptions, jsonOption } from '../options.js'
import { parseContentId } from './lookup.js'

interface AppealOptions extends ClientOptions {
  upheld?: boolean
  rejected?: boolean
  reason: string
  note?: string
}

function parseReason (text: string): string {
  if (!APPEAL_REASON_PATTERN.test(text)) {
    throw new CliError('USAGE',
      `--reason must be a code of 1-32 of a-z 0-9 _ . - starting with a letter or digit (e.g. not_violating), got ${JSON.stringify(text.slice(0, 40))}`)
  }
  return text
}

function parseNote (text: string): string {
  if (!APPEAL_NOTE_PATTERN.test(text)) throw new CliError('USAGE', `--note must be 1-${MAX_APPEAL_NOTE_CHARS} printable characters on one line`)
  return text
}

export function formatAppeal (r: AppealResult): string[] {
  const appeal = r.record.appeal
  return [
    `${r.already ? 'already recorded' : 'recorded'}: appeal ${appeal?.outcome ?? '?'} (${appeal?.reason ?? '?'}) ` +
    `on match ${r.record.id} of ${r.record.contentId}`,
    ...r.allowlisted.map(h => `  allowlisted ${h.type} ${h.value}`),
    ...(r.opinionBatchId === undefined ? [] : [`  false_positive opinion published in batch ${r.opinionBatchId}`])
  ]
}

export function register (program: Command, ctx: CliContext): void {
  clientOptions(program.command('appeal')
    .description('record a grievance officer\'s decision on an appeal against a removal; upheld also allowlists the matched hashes ' +
      'and publishes a signed false_positive opinion (with the opine role); safe to run again')
    .argument('<content-id>', 'the content the appeal is about (its latest match record)', parseContentId)
    .addOption(new Option('--upheld', 'the appeal succeeds: the content was not what the listing says').conflicts('rejected'))
    .addOption(new Option('--rejected', 'the appeal fails: the outcome is recorded, nothing else changes').conflicts('upheld'))
    .addOption(new Option('--reason <code>', 'a short machine-readable reason, e.g. not_violating').argParser(parseReason).makeOptionMandatory())
    .addOption(new Option('--note <text>', 'what the officer found, in a sentence').argParser(parseNote)))
    .addOption(jsonOption())
    .action(async (contentId: string, opts: AppealOptions) => {
      if (opts.upheld !== true && opts.rejected !== true) throw new CliError('USAGE', 'say --upheld or --rejected')
      const actor = localActor(ctx.env)
      const target = await locateNode(opts, ctx.env, 'admin')
      const outcome = opts.upheld === true ? 'upheld' : 'rejected'
      const body = { contentId, outcome, reason: opts.reason, ...(opts.note === undefined ? {} : { note: opts.note }) }
      const result = await new NodeClient({ ...target, actor }).call<AppealResult>('POST', '/v1/appeals', body)
      if (opts.json === true) printJson(ctx, result)
      else printLines(ctx, formatAppeal(result))
    })
}
