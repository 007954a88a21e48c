import { type Command, Option } from 'commander'
import type { AllowlistItem } from '../../node/allowlistApi.js'
import { parseSignalValue } from '../../signals/hex.js'
import { AUTHOR_PATTERN, MAX_AUTHOR_CHARS, MAX_NOTE_CHARS, NOTE_PATTERN } from '../../store/allowlist.js'
import { type CliContext, printJson, printLines } from '../context.js'
import { CliError } from '../errors.js'
import { NodeClient } from '../nodeClient.js'
import { localActor, locateNode } from '../nodeLocator.js'
import { type ClientOptions, clientOptions, jsonOption } from '../options.js'

interface AddOptions extends ClientOptions {
  note: string
  author?: string
}

function parseNote (text: string): string {
  if (!NOTE_PATTERN.test(text)) throw new CliError('USAGE', `--note must be 1-${MAX_NOTE_CHARS} printable characters on one line`)
  return text
}

function parseAuthor (text: string): string {
  if (!AUTHOR_PATTERN.test(text)) throw new CliError('USAGE', `--author must be 1-${MAX_AUTHOR_CHARS} printable characters`)
  return text
}

function hashPath (type: string, value: string): string {
  return `/v1/allowlist/${encodeURIComponent(type)}/${encodeURIComponent(value)}`
}

export function formatAllowlistItem (i: AllowlistItem): string {
  return `${i.type} ${i.value}  ${i.addedAt}  ${i.author}: ${i.note}`
}

/** Every allowlist command talks to the node with the admin token: the list is local policy. */
function clientCommand (parent: Command, name: string): Command {
  return clientOptions(parent.command(name))
    .addOption(jsonOption())
}

export function register (program: Command, ctx: CliContext): void {
  const allowlist = program.command('allowlist')
    .description('hashes this node never matches, whoever lists them (local policy, never shared)')

  clientCommand(allowlist, 'add')
    .description('never match this hash; adding it again replaces the note')
    .argument('<type>', 'md5, sha1, sha256 or pdq')
    .argument('<value>', 'the hash, hex')
    .addOption(new Option('--note <text>', 'why, for whoever reads a lookup of it later').argParser(parseNote).makeOptionMandatory())
    .addOption(new Option('--author <name>', 'who decided (default: $USER@hostname)').argParser(parseAuthor))
    .action(async (type: string, value: string, opts: AddOptions) => {
      // Checked here too, so a typo is a usage error even when no node is running.
      const parsed = parseSignalValue(type, value)
      const body = { type: parsed.type.name, value: value.toLowerCase(), note: opts.note, author: opts.author ?? localActor(ctx.env) }
      const item = await new NodeClient(await locateNode(opts, ctx.env, 'admin')).call<AllowlistItem>('POST', '/v1/allowlist', body)
      if (opts.json === true) printJson(ctx, item)
      else printLines(ctx, [`allowlisted: ${formatAllowlistItem(item)}`])
    })

  clientCommand(allowlist, 'remove')
    .description('match this hash again by the usual rules; exit 1 if it was not on the allowlist')
    .argument('<type>', 'md5, sha1, sha256 or pdq')
    .argument('<value>', 'the hash, hex')
    .action(async (type: string, value: string, opts: ClientOptions) => {
      const parsed = parseSignalValue(type, value)
      const answer = await new NodeClient(await locateNode(opts, ctx.env, 'admin')).call<unknown>('DELETE', hashPath(parsed.type.name, value.toLowerCase()))
      if (opts.json === true) printJson(ctx, answer)
      else printLines(ctx, [`removed from the allowlist: ${parsed.type.name} ${value.toLowerCase()}`])
    })

  clientCommand(allowlist, 'list')
    .description('every allowlisted hash, with who added it, when and why')
    .action(async (opts: ClientOptions) => {
      const { allowlist: items } = await new NodeClient(await locateNode(opts, ctx.env, 'admin')).call<{ allowlist: AllowlistItem[] }>('GET', '/v1/allowlist')
      if (opts.json === true) printJson(ctx, { allowlist: items })
      else printLines(ctx, items.length === 0 ? ['none'] : items.map(formatAllowlistItem))
    })
}
