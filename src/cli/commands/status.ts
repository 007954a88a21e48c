import type { Command } from 'commander'
import type { NodeStatus } from '../../node/interface.js'
import { type CliContext, aligned, printJson, printLines } from '../context.js'
import { NodeClient } from '../nodeClient.js'
import { locateNode } from '../nodeLocator.js'
import { type ClientOptions, clientOptions, jsonOption } from '../options.js'

function counts (byCode: Record<string, number>): string {
  const parts = Object.entries(byCode).map(([k, n]) => `${k} ${n}`)
  return parts.length > 0 ? parts.join(', ') : '-'
}

/** One row per item, the key on the first only. */
function listRows (key: string, items: readonly string[]): Array<[string, string]> {
  return items.length === 0 ? [[key, '-']] : items.map((item, i) => [i === 0 ? key : '', item])
}

/** Above the publisher list, which can be long: an equivocation waits for an administrator. */
function equivocatingRows (s: NodeStatus): Array<[string, string]> {
  const n = s.publishers.filter(p => p.equivocating).length
  return n === 0 ? [] : [['EQUIVOCATING', `${n} publisher(s); see "hashmesh equivocations"`]]
}

/** Forum records count once accepted; refusals say whether the node's roots or its peers are wrong. */
function forumText (f: NodeStatus['forum']): string {
  if (f.roots.length === 0) return 'none configured (trust list only)'
  const refused = Object.values(f.validation.ignore).reduce((a, b) => a + b, 0) + Object.values(f.validation.reject).reduce((a, b) => a + b, 0)
  return `${f.roots.length} root(s), ${f.records} record(s) held, ${refused} refused; digest ${f.digest}`
}

/** This node's own credential: what its peers will accept from it, and for how long. */
function membershipRows (f: NodeStatus['forum']): Array<[string, string]> {
  if (f.roots.length === 0) return []
  const own = f.own
  if (own.status === 'none') return [['membership', 'NOT ADMITTED: no credential names this node\'s publisher key; peers refuse what it publishes']]
  const what = `${own.organisation ?? '?'}: ${(own.roles ?? []).join(', ')}; valid until ${own.validUntil ?? '?'}`
  if (!own.admitted) return [['membership', `NOT ADMITTED (${own.status}): ${what}`]]
  return [['membership', own.expiresSoon ? `${what}; EXPIRES SOON: ask the forum's operator for a new credential` : what]]
}

/** In a forum the trust list counts for nothing; say so rather than count keys that do nothing. */
function trustText (s: NodeStatus): string {
  if (s.forum.roots.length === 0) return `${s.trustedPublishers.length} publisher(s) on the local trust list`
  const ignored = s.forum.ignoredTrust.length
  return ignored === 0
    ? 'not used: the forum roots decide'
    : `${ignored} key(s) listed but ignored: the forum roots decide (forum.overrides accepts a key against them)`
}

/** Keys accepted against the forum, each with its reason: an auditor reads them here first. */
function overrideRows (f: NodeStatus['forum']): Array<[string, string]> {
  return f.roots.length === 0 ? [] : listRows('overrides', f.overrides.map(o => `${o.key}  ${o.reason}`))
}

export function formatStatus (s: NodeStatus): string[] {
  return [
    ...aligned([
      ['peer id', s.peerId],
      ['state digest', s.stateDigest],
      ['publisher key', s.publisherKey],
      ['network', `${s.network} (topic ${s.topic})`],
      ...listRows('listening on', s.multiaddrs),
      ['connected peers', `${s.connectedPeers.length}`],
      ['mesh peers', `${s.meshPeers.length}`],
      ['banned peers', `${s.bannedPeers.length}`],
      ['held batches', `${s.held.batches} (${Math.round(s.held.bytes / 1024)} KiB; ${s.held.evicted} evicted so far)`],
      ['trusted', trustText(s)],
      ['forum', forumText(s.forum)],
      ...membershipRows(s.forum),
      ...overrideRows(s.forum),
      ...equivocatingRows(s),
      ['hashes', counts(s.hashes)],
      ['pdq index', `${s.pdqIndex.hashes} listed (${(s.pdqIndex.memoryBytes / 2 ** 20).toFixed(1)} MiB)`],
      ['accepted', counts(s.validation.accept)],
      ['ignored', counts(s.validation.ignore)],
      ['rejected', counts(s.validation.reject)],
      ['uptime', `${s.uptimeSeconds} s`]
    ]),
    ...(s.catchUp.length > 0 ? ['catching up:'] : []),
    ...s.catchUp.map(c => `  ${c.publisher}  seq ${c.currentSeq}/${c.targetSeq} from ${c.peer}  ${c.batchesPerSecond.toFixed(1)} batches/s` +
      (c.batchesPerSecond > 0 ? `  ETA ${Math.ceil((c.targetSeq - c.currentSeq) / c.batchesPerSecond)} s` : '')),
    ...(s.publishers.length > 0 ? ['publishers:'] : []),
    ...s.publishers.map(p => `  ${p.publisher}  seq ${p.seq}  ${p.batches} batches  ${p.entries} entries` +
      (p.pending > 0 ? `  ${p.pending} pending` : '') + (p.equivocating ? '  EQUIVOCATING' : ''))
  ]
}

export function register (program: Command, ctx: CliContext): void {
  clientOptions(program.command('status')
    .description('what the running node knows: peers, publishers, hashes, validation counts'))
    .addOption(jsonOption())
    .action(async (opts: ClientOptions) => {
      const status = await new NodeClient(await locateNode(opts, ctx.env, 'read')).status()
      if (opts.json === true) printJson(ctx, status)
      else printLines(ctx, formatStatus(status))
    })
}
