import type { Command } from 'commander'
import { readSecretFile } from '../../crypto/secretFile.js'
import { EVENT_TYPES } from '../../events/hashmeshEvent.js'
import { HookError } from '../../events/hookError.js'
import { checkHookEvents, checkHookSecret, checkHookUrl, parseEventId, parseHookId } from '../../events/hookRules.js'
import type { DeadLetterInfo, DeadLetterPage, HookInfo } from '../../node/hooksApi.js'
import { type CliContext, printJson, printLines } from '../context.js'
import { CliError } from '../errors.js'
import { NodeClient } from '../nodeClient.js'
import { locateNode } from '../nodeLocator.js'
import { type ClientOptions, clientOptions, jsonOption } from '../options.js'

interface AddOptions extends ClientOptions { events: string, secretFile: string }
interface DeadOptions extends ClientOptions { limit?: string, after?: string }
interface ReplayOptions extends ClientOptions { all?: boolean }

/** A rule broken on the command line is a usage error, found before any node is asked. */
function usage<T> (check: () => T): T {
  try {
    return check()
  } catch (err) {
    if (err instanceof HookError) throw new CliError('USAGE', err.message)
    throw err
  }
}

/**
 * The secret file must be readable by its owner only, as ssh insists for its keys: refused
 * otherwise (not just warned about), since the secret is all that proves a delivery came from this node.
 */
async function secretFrom (path: string): Promise<string> {
  let secret: string
  try {
    secret = await readSecretFile(path)
  } catch (err) {
    throw new CliError('USAGE', `--secret-file: ${(err as Error).message}`, { cause: err })
  }
  usage(() => checkHookSecret(secret))
  return secret
}

export function formatHook (h: HookInfo): string {
  return `${h.id}  ${h.url}  events ${h.events.join(',')}  pending ${h.pending}  since ${h.createdAt}`
}

function formatDead (d: DeadLetterInfo): string {
  return `${d.eventId}  ${d.type}  hook ${d.hookId}  ${d.attempts} attempts  dead ${d.deadAt}  last error: ${d.lastError}`
}

async function client (opts: ClientOptions, ctx: CliContext): Promise<NodeClient> {
  return new NodeClient(await locateNode(opts, ctx.env, 'admin'))
}

function clientCommand (parent: Command, name: string): Command {
  return clientOptions(parent.command(name)).addOption(jsonOption())
}

export function register (program: Command, ctx: CliContext): void {
  const hooks = program.command('hooks')
    .description('webhooks: receivers the node POSTs signed events to (match, unlisted, equivocation, revocation, appeal)')

  clientCommand(hooks, 'add')
    .description('register a receiver; every delivery is signed with the secret (X-Hashmesh-Signature)')
    .argument('<url>', 'http: or https: URL, no credentials in it')
    .requiredOption('--events <list>', `comma-separated: ${EVENT_TYPES.join(', ')}`)
    .requiredOption('--secret-file <file>', 'file holding the shared secret (16-1024 bytes), mode 0600; refused if group or others can read it')
    .action(async (url: string, opts: AddOptions) => {
      const body = {
        url: usage(() => checkHookUrl(url)),
        events: usage(() => checkHookEvents(opts.events.split(',').map(e => e.trim()).filter(e => e !== ''))),
        secret: await secretFrom(opts.secretFile)
      }
      const hook = await (await client(opts, ctx)).call<HookInfo>('POST', '/v1/hooks', body)
      if (opts.json === true) printJson(ctx, hook)
      else printLines(ctx, [`added: ${formatHook(hook)}`])
    })

  clientCommand(hooks, 'list')
    .description('every receiver, with its events and the deliveries waiting for it')
    .action(async (opts: ClientOptions) => {
      const { hooks: list } = await (await client(opts, ctx)).call<{ hooks: HookInfo[] }>('GET', '/v1/hooks')
      if (opts.json === true) printJson(ctx, { hooks: list })
      else printLines(ctx, list.length === 0 ? ['none'] : list.map(formatHook))
    })

  clientCommand(hooks, 'remove')
    .description('remove a receiver and drop the deliveries waiting for it')
    .argument('<id>', 'hook_…, as hooks list shows it')
    .action(async (id: string, opts: ClientOptions) => {
      usage(() => parseHookId(id))
      const answer = await (await client(opts, ctx)).call<{ removed: HookInfo }>('DELETE', `/v1/hooks/${id}`)
      if (opts.json === true) printJson(ctx, answer)
      else printLines(ctx, [`removed: ${answer.removed.id} ${answer.removed.url}`])
    })

  clientCommand(hooks, 'dead')
    .description('deliveries given up on after the retry window (hooks.maxRetryHours), in event id order, a page at a time')
    .option('--limit <n>', 'at most this many (default 100, at most 1000)')
    .option('--after <cursor>', 'the next cursor a previous page printed')
    .action(async (opts: DeadOptions) => {
      const query = new URLSearchParams()
      if (opts.limit !== undefined) {
        if (!/^[0-9]{1,4}$/.test(opts.limit)) throw new CliError('USAGE', '--limit must be a number 0-1000')
        query.set('limit', opts.limit)
      }
      if (opts.after !== undefined) query.set('after', opts.after)
      const text = query.toString()
      const page = await (await client(opts, ctx)).call<DeadLetterPage>('GET', `/v1/hooks/dead${text === '' ? '' : `?${text}`}`)
      const more = page.next === undefined ? [] : [`next: --after ${page.next}`]
      if (opts.json === true) printJson(ctx, page)
      else printLines(ctx, [...(page.dead.length === 0 ? ['none'] : page.dead.map(formatDead)), ...more])
    })

  clientCommand(hooks, 'replay')
    .description('send dead letters again, as new deliveries with the same event id')
    .argument('[eventId]', 'evt_…, as hooks dead shows it')
    .option('--all', 'every dead letter')
    .action(async (eventId: string | undefined, opts: ReplayOptions) => {
      if ((eventId === undefined) === (opts.all !== true)) throw new CliError('USAGE', 'name one event id, or --all')
      if (eventId !== undefined) usage(() => parseEventId(eventId))
      const path = eventId === undefined ? '/v1/hooks/dead/replay' : `/v1/hooks/dead/${eventId}/replay`
      const answer = await (await client(opts, ctx)).call<{ replayed: number, discarded: number }>('POST', path)
      if (opts.json === true) printJson(ctx, answer)
      else printLines(ctx, [`replayed ${answer.replayed}${answer.discarded > 0 ? `; ${answer.discarded} of removed hooks discarded` : ''}`])
    })
}
