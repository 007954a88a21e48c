import type { Command } from 'commander'
import { summariseRecord } from '../../forum/recordSummary.js'
import type { ForumSubmitResult } from '../../node/forumApi.js'
import { toHex } from '../../signals/hex.js'
import { type CliContext, aligned, printJson, printLines } from '../context.js'
import { CliError } from '../errors.js'
import { readForumRecordFile } from '../forumFiles.js'
import { NodeClient } from '../nodeClient.js'
import { locateNode } from '../nodeLocator.js'
import { type ClientOptions, clientOptions, jsonOption } from '../options.js'

const SUBMITTED_TEXT: Readonly<Record<ForumSubmitResult['code'], string>> = {
  ACCEPTED: 'stored; the node now sends it to its peers',
  DUPLICATE: 'the node held it already'
}

async function join (file: string, opts: ClientOptions, ctx: CliContext): Promise<void> {
  const record = await readForumRecordFile(file)
  const credential = record.body.credential
  if (credential === undefined) {
    throw new CliError('BAD_INPUT',
      `${file} is a revocation, not a credential; an administrator submits it with the node's admin token (POST /v1/forum/records)`)
  }
  const client = new NodeClient(await locateNode(opts, ctx.env, 'admin'))
  const { publisherKey } = await client.status()
  const warnings: string[] = []
  // Not refused: an operator may well submit a colleague's credential to help the forum spread it.
  if (publisherKey !== toHex(credential.member)) warnings.push(`this credential admits ${toHex(credential.member)}, but this node publishes as ${publisherKey}`)
  const now = Date.now()
  if (now >= credential.validUntilMs) warnings.push('this credential has expired')
  else if (now < credential.validFromMs) warnings.push('this credential is not valid yet')
  for (const w of warnings) ctx.terminal.err(`hashmesh: warning: ${w}\n`)
  const result = await client.call<ForumSubmitResult>('POST', '/v1/forum/records', { record: toHex(record.signedBytes) })
  const s = summariseRecord(record)
  if (opts.json === true) {
    printJson(ctx, { ...s, submitted: result.code, warnings })
    return
  }
  printLines(ctx, [
    `credential for ${s.member}`,
    ...aligned([
      ['organisation', s.organisation ?? ''],
      ['roles', (s.roles ?? []).join(', ')],
      ['valid', `from ${s.validFrom ?? '?'} until ${s.validUntil ?? '?'}`],
      ...(s.rotatedFrom === undefined ? [] : [['rotated from', s.rotatedFrom] as [string, string]]),
      ['serial', String(s.serial)],
      ['root', s.root],
      ['submitted', `${result.code}: ${SUBMITTED_TEXT[result.code]}`]
    ], '  ')
  ])
}

export function register (program: Command, ctx: CliContext): void {
  clientOptions(program.command('join')
    .description('submit the credential a forum root signed for this node\'s publisher key')
    .argument('<credential-file>', 'the file `hashmesh forum admit` wrote'))
    .addOption(jsonOption())
    .action(async (file: string, opts: ClientOptions) => { await join(file, opts, ctx) })
}
