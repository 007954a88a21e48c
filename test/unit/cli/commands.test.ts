import assert from 'node:assert/strict'
import { execFile, spawn } from 'node:child_process'
import { readFile, writeFile } from 'node:fs/promises'
import { type AddressInfo, createServer } from 'node:net'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { register as registerDecide } from '../../../src/cli/commands/decide.js'
import { register as registerEquivocations } from '../../../src/cli/commands/equivocations.js'
import { register as registerHash } from '../../../src/cli/commands/hash.js'
import { register as registerLookup } from '../../../src/cli/commands/lookup.js'
import { register as registerMatch } from '../../../src/cli/commands/match.js'
import { register as registerPublish } from '../../../src/cli/commands/publish.js'
import { register as registerStatus } from '../../../src/cli/commands/status.js'
import { writeNodeInfo } from '../../../src/cli/nodeInfo.js'
import { generateSecretKey, publicKeyOf } from '../../../src/crypto/ed25519.js'
import { hashFile } from '../../../src/hashing/fileHasher.js'
import type { HashmeshNode } from '../../../src/node/hashmeshNode.js'
import type { EquivocationInfo } from '../../../src/node/interface.js'
import { toHex } from '../../../src/signals/hex.js'
import { Action, type Entry, type Role } from '../../../src/wire/types.js'
import { makeSignedBatch, randomEntries } from '../../helpers/batches.js'
import { LiveNode } from '../../helpers/liveNode.js'
import { readTsv, vectorPath } from '../../helpers/pdqVectors.js'
import { failingAfter } from '../api/throwingNode.js'
import { DAY, Root, newMember } from '../forum/forumFixtures.js'
import { NodeServer, type NodeServerOptions, type Run, runCommand } from './cliHarness.js'
import { type JsonFailure, errorCode } from './jsonOutput.js'

const TOKEN = 'c0ffee'.repeat(8)
const LISTED_MD5 = 'ab'.repeat(16)
/** The forum of the tests that need one: its root signs credentials through each node's API. */
const ROOT = new Root()
/** A key the node trusts, which signs two batches for one seq in the equivocation tests. */
const FORKER = generateSecretKey()
const FORKED = toHex(publicKeyOf(FORKER))
const COMMANDS = [registerPublish, registerLookup, registerHash, registerMatch, registerStatus, registerEquivocations, registerDecide]

async function hashmesh (...args: string[]): Promise<Run> {
  return await runCommand(COMMANDS, args)
}

/** A port nothing listens on (fetch refuses some low ports outright, which is not the case to test). */
async function closedPortUrl (): Promise<string> {
  const server = createServer()
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise(resolve => server.close(resolve))
  return `http://127.0.0.1:${port}`
}

async function mkfifoAt (path: string): Promise<void> {
  await promisify(execFile)('mkfifo', ['-m', '600', path])
}

/** `--json` promises exactly one JSON document on stdout. */
function oneJsonDocument (out: string): unknown {
  return JSON.parse(out)
}

describe('cli: client commands against the HTTP API of a real node', () => {
  let server: NodeServer
  let node: HashmeshNode
  let url: string
  let dir: string

  /** A node with `options` and the API over it, for this test; afterEach closes it. */
  async function serve (options: NodeServerOptions = {}): Promise<void> {
    await server?.close()
    server = await NodeServer.start(TOKEN, options)
    ;({ node, url, dir } = server)
  }

  /** Admits `member` to ROOT's forum now, through the node's own API, as `hashmesh forum admit` does. */
  async function admit (member: Uint8Array, organisation: string, o: { roles?: Role[], validUntilMs?: number } = {}): Promise<void> {
    const now = Date.now()
    const credential = ROOT.credential(member, {
      organisation,
      createdAtMs: now - DAY,
      validFromMs: now - DAY,
      validUntilMs: o.validUntilMs ?? now + 365 * DAY,
      ...(o.roles === undefined ? {} : { roles: o.roles })
    })
    assert.equal((await node.submitForumRecord(credential.signedBytes, 'operator')).code, 'ACCEPTED')
  }

  /** What this node's own key has stored: its last seq, its batches and their entries. */
  async function own (): Promise<{ seq: number, entries: number, batches: number }> {
    const p = (await node.status()).publishers.find(x => x.publisher === node.publisherKey)
    return { seq: p?.seq ?? 0, entries: p?.entries ?? 0, batches: p?.batches ?? 0 }
  }

  beforeEach(async () => { await serve() })
  afterEach(async () => {
    await server.close()
  })

  describe('lookup', () => {
    const ORGANISATION = 'Example Trust & Safety'

    beforeEach(async () => {
      await serve({ flags: { forumRoots: [ROOT.hex] } })
      await admit(Buffer.from(node.publisherKey, 'hex'), ORGANISATION)
      await node.publish([{ type: 'md5', value: LISTED_MD5, labels: ['csam'] }])
    })

    it('exit 0 for a match, with the verdict, its reasons and the entries', async () => {
      const r = await hashmesh('lookup', 'md5', LISTED_MD5, '--node', url)
      assert.equal(r.code, 0)
      assert.match(r.out, /^match: md5 /)
      assert.match(r.out, new RegExp(`^  hash ${LISTED_MD5}: MATCH$`, 'm'))
      assert.match(r.out, new RegExp(`^ {4}why +listed by 1 organisation \\(${ORGANISATION}\\)$`, 'm'))
      assert.match(r.out, new RegExp(`^ {4}publisher ${node.publisherKey} \\(${ORGANISATION}, member\\)$`, 'm'))
      assert.match(r.out, /labels\s+csam/)
      const [stored] = (await node.lookup('md5', LISTED_MD5)).matches
      assert.match(r.out, new RegExp(`receivedAt\\s+${stored!.receivedAt}`))
    })

    it('exit 1 for a listed hash local policy does not match (allowlisted), saying why', async () => {
      const item = await node.allowlistAdd({ type: 'md5', value: LISTED_MD5, note: 'stock photo', author: 'ops' }, 'ops')
      const r = await hashmesh('lookup', 'md5', LISTED_MD5, '--node', url)
      assert.equal(r.code, 1)
      assert.match(r.out, /^listed, no match: md5 /)
      assert.match(r.out, new RegExp(`^ {4}allowlisted +by ops at ${item.addedAt}: stock photo$`, 'm'))
      assert.match(r.out, /^ {4}why +allowlisted by ops: stock photo$/m)
    })

    it('shows opinion tallies and disputed', async () => {
      const opinion = (action: Action): Entry[] => [{ signalType: 'md5', value: Buffer.from(LISTED_MD5, 'hex'), labels: [], action }]
      const { CONFIRM, FALSE_POSITIVE } = Action
      const members: Array<[string, Action]> = [['Acme', CONFIRM], ['Beta', FALSE_POSITIVE], ['Beta', FALSE_POSITIVE], ['Gamma', FALSE_POSITIVE]]
      const batches = []
      for (const [organisation, action] of members) {
        const member = newMember()
        await admit(member.publicKey, organisation)
        batches.push(makeSignedBatch({ secretKey: member.secretKey, seq: 1, entries: opinion(action) }))
      }
      await server.live.gossip(batches)
      const r = await hashmesh('lookup', 'md5', LISTED_MD5, '--node', url)
      assert.match(r.out, /^ {4}opinions +1 confirm \(Acme\), 2 false positive \(Beta, Gamma\), 0 dispute$/m)
      assert.match(r.out, /^ {4}disputed +yes$/m)
    })

    it('exit 1 when not listed', async () => {
      const r = await hashmesh('lookup', 'sha1', '00'.repeat(20), '--node', url)
      assert.equal(r.code, 1)
      assert.match(r.out, /^not listed: sha1 /)
    })

    it('--json prints the LookupResult', async () => {
      const r = await hashmesh('lookup', 'md5', LISTED_MD5, '--node', url, '--json')
      const doc = oneJsonDocument(r.out) as { listed: boolean, match: boolean, hashes: unknown[] }
      assert.deepEqual([doc.listed, doc.match, doc.hashes.length], [true, true, 1])
    })

    it('exit 2 for a bad value, before contacting any node', async () => {
      const r = await hashmesh('lookup', 'md5', 'xyz', '--node', 'http://127.0.0.1:1', '--json')
      assert.equal(r.code, 2)
      assert.equal(errorCode(r.out), 'BAD_SIGNAL_VALUE')
      assert.match(r.err, /^hashmesh: md5 value must be/)
    })

    it('finds the node through DIR/node.json', async () => {
      await writeNodeInfo(join(dir, 'node.json'), { peerId: 'p', multiaddrs: [], http: url, publisherKey: 'k' })
      const r = await hashmesh('lookup', 'md5', LISTED_MD5, '--data', dir)
      assert.equal(r.code, 0)
    })

    it('exit 3 without node.json or when nothing listens', async () => {
      assert.equal((await hashmesh('lookup', 'md5', LISTED_MD5, '--data', dir)).code, 3)
      const refused = await hashmesh('lookup', 'md5', LISTED_MD5, '--node', await closedPortUrl(), '--json')
      assert.equal(refused.code, 3)
      assert.equal(errorCode(refused.out), 'NODE_UNREACHABLE')
      assert.match(refused.err, /ECONNREFUSED/)
    })

    it('exit 2 for a --node that is not an http URL', async () => {
      assert.equal((await hashmesh('lookup', 'md5', LISTED_MD5, '--node', 'ftp://x')).code, 2)
    })

    it('marks a match whose publisher is equivocating, and only then', async () => {
      const forker = newMember()
      await admit(forker.publicKey, ORGANISATION)
      assert.doesNotMatch((await hashmesh('lookup', 'md5', LISTED_MD5, '--node', url)).out, /EQUIVOCATING/)
      await server.live.fork(forker.secretKey, [{ signalType: 'md5', value: Buffer.from(LISTED_MD5, 'hex'), labels: ['csam'], action: Action.ADD }])
      const r = await hashmesh('lookup', 'md5', LISTED_MD5, '--node', url)
      assert.equal(r.code, 0)
      assert.match(r.out, new RegExp(`^ {4}publisher ${forker.hex} \\(${ORGANISATION}, member\\) \\(publisher EQUIVOCATING\\)$`, 'm'))
      assert.match(r.out, new RegExp(`^ {4}publisher ${node.publisherKey} \\(${ORGANISATION}, member\\)$`, 'm'))
    })
  })

  describe('status', () => {
    it('--json passes the node status through; human output names the peer', async () => {
      const json = await hashmesh('status', '--node', url, '--json')
      assert.equal(json.code, 0)
      assert.equal((oneJsonDocument(json.out) as { peerId: string }).peerId, node.peerId)
      const human = await hashmesh('status', '--node', url)
      assert.match(human.out, new RegExp(`peer id\\s+${node.peerId}`))
      assert.doesNotMatch(human.out, /EQUIVOCATING/)
    })

    it('human output says whether a forum is configured, how many records it holds and how many were refused', async () => {
      assert.match((await hashmesh('status', '--node', url)).out, /^forum\s+none configured \(trust list only\)$/m)
      await serve({ flags: { forumRoots: [ROOT.hex] } })
      await admit(newMember().publicKey, 'Acme')
      await admit(newMember().publicKey, 'Beta')
      await assert.rejects(node.submitForumRecord(new Root().credential(newMember().publicKey).signedBytes, 'operator'), { code: 'UNKNOWN_ROOT' })
      const { digest } = (await node.status()).forum
      const r = (await hashmesh('status', '--node', url)).out
      assert.match(r, new RegExp(`^forum\\s+1 root\\(s\\), 2 record\\(s\\) held, 1 refused; digest ${digest}$`, 'm'))
      assert.match(r, /^membership\s+NOT ADMITTED: no credential names this node's publisher key; peers refuse what it publishes$/m)
    })

    it('human output shows this node\'s own membership, and flags a credential about to expire', async () => {
      await serve({ flags: { forumRoots: [ROOT.hex] } })
      const until = Date.parse('2099-01-01T00:00:00.000Z')
      await admit(Buffer.from(node.publisherKey, 'hex'), 'Us', { roles: ['publish', 'consume'], validUntilMs: until })
      assert.match((await hashmesh('status', '--node', url)).out, /^membership\s+Us: publish, consume; valid until 2099-01-01T00:00:00.000Z$/m)
      await serve({ flags: { forumRoots: [ROOT.hex] } })
      const soon = new Date(Date.now() + 7 * DAY).toISOString()
      await admit(Buffer.from(node.publisherKey, 'hex'), 'Us', { roles: ['publish', 'consume'], validUntilMs: Date.parse(soon) })
      const expiring = `^membership\\s+Us: publish, consume; valid until ${soon}; EXPIRES SOON: ask the forum's operator for a new credential$`
      assert.match((await hashmesh('status', '--node', url)).out, new RegExp(expiring, 'm'))
    })

    it('human output in a forum: the trust list is ignored, and each override is shown with its reason', async () => {
      const override = { key: 'cd'.repeat(32), reason: 'our second node, credential renewal pending' }
      await serve({ flags: { forumRoots: [ROOT.hex], trust: ['ef'.repeat(32)] }, configFile: { forum: { overrides: [override] } } })
      const out = (await hashmesh('status', '--node', url)).out
      assert.match(out, /^trusted\s+1 key\(s\) listed but ignored: the forum roots decide/m)
      assert.match(out, new RegExp(`^overrides\\s+${override.key}  ${override.reason}$`, 'm'))
      const json = oneJsonDocument((await hashmesh('status', '--node', url, '--json')).out) as { forum: { overrides: unknown } }
      assert.deepEqual(json.forum.overrides, [override])
    })

    it('human output flags equivocating publishers at the top and on their line', async () => {
      await serve({ flags: { trust: [FORKED] } })
      await node.publish([{ type: 'md5', value: LISTED_MD5 }])
      await server.live.fork(FORKER, randomEntries(1))
      const r = await hashmesh('status', '--node', url)
      assert.equal(r.code, 0)
      const lines = r.out.split('\n')
      const summary = lines.findIndex(l => /^EQUIVOCATING\s+1 publisher\(s\)/.test(l))
      assert.ok(summary >= 0 && summary < lines.indexOf('publishers:'), r.out)
      assert.ok(lines.some(l => l.includes(FORKED) && l.endsWith('EQUIVOCATING')), r.out)
      assert.ok(lines.some(l => l.includes(node.publisherKey) && !l.endsWith('EQUIVOCATING')), r.out)
    })
  })

  describe('equivocations', () => {
    let forked: EquivocationInfo

    beforeEach(async () => {
      await serve({ flags: { trust: [FORKED] } })
      forked = await server.live.fork(FORKER, randomEntries(1))
    })

    it('prints one block per publisher: fork seq, both batches, detection time, decision', async () => {
      const r = await hashmesh('equivocations', '--node', url)
      assert.equal(r.code, 0, r.err)
      const e = forked
      assert.match(r.out, new RegExp(`^publisher ${e.publisher}$`, 'm'))
      assert.match(r.out, /^ {2}fork seq\s+1$/m)
      assert.match(r.out, new RegExp(`^  batch A\\s+${e.batchA.batchId} \\(seq 1\\)$`, 'm'))
      assert.match(r.out, new RegExp(`^  batch B\\s+${e.batchB.batchId} \\(seq 1\\)$`, 'm'))
      assert.match(r.out, new RegExp(`^ {2}detected at\\s+${e.detectedAt}$`, 'm'))
      assert.match(r.out, /^ {2}decision\s+undecided /m)
    })

    it('prints "none" and exits 0 when there are none', async () => {
      await serve()
      const r = await hashmesh('equivocations', '--node', url)
      assert.equal(r.code, 0)
      assert.equal(r.out, 'none\n')
    })

    it('--json prints { equivocations }, found through DIR/node.json', async () => {
      await writeNodeInfo(join(dir, 'node.json'), { peerId: 'p', multiaddrs: [], http: url, publisherKey: 'k' })
      const r = await hashmesh('equivocations', '--data', dir, '--json')
      assert.equal(r.code, 0)
      assert.deepEqual(oneJsonDocument(r.out), { equivocations: [forked] })
    })

    it('exit 3 when no node answers', async () => {
      const r = await hashmesh('equivocations', '--node', await closedPortUrl(), '--json')
      assert.equal(r.code, 3)
      assert.equal(errorCode(r.out), 'NODE_UNREACHABLE')
    })
  })

  describe('decide', () => {
    let forked: EquivocationInfo

    async function decision (): Promise<string | undefined> {
      return (await node.equivocations()).find(e => e.publisher === FORKED)?.decision
    }

    beforeEach(async () => {
      await serve({ flags: { trust: [FORKED] } })
      forked = await server.live.fork(FORKER, randomEntries(1))
    })

    it('records the decision with the token and prints the updated equivocation', async () => {
      const r = await hashmesh('decide', FORKED, 'block', '--node', url, '--token', TOKEN)
      assert.equal(r.code, 0, r.err)
      assert.match(r.out, new RegExp(`^publisher ${FORKED}$`, 'm'))
      assert.match(r.out, /^ {2}decision\s+block$/m)
      assert.equal(await decision(), 'block')
    })

    it('--json prints the EquivocationInfo; the token comes from DIR/admin.token', async () => {
      await writeFile(join(dir, 'admin.token'), `${TOKEN}\n`, { mode: 0o600 })
      const r = await hashmesh('decide', FORKED.toUpperCase(), 'follow-stored', '--node', url, '--data', dir, '--json')
      assert.equal(r.code, 0, r.err)
      assert.deepEqual(oneJsonDocument(r.out), { ...forked, decision: 'follow-stored' })
    })

    it('exit 1 NO_SUCH_EQUIVOCATION for a publisher with none recorded', async () => {
      const r = await hashmesh('decide', '00'.repeat(32), 'block', '--node', url, '--token', TOKEN, '--json')
      assert.equal(r.code, 1)
      assert.equal(errorCode(r.out), 'NO_SUCH_EQUIVOCATION')
      assert.match(r.err, /no equivocation is recorded/)
    })

    it('exit 2 for a bad decision or key (before contacting any node), a wrong or missing token', async () => {
      const nowhere = 'http://127.0.0.1:1'
      const badDecision = await hashmesh('decide', FORKED, 'undecided', '--node', nowhere, '--token', TOKEN)
      assert.equal(badDecision.code, 2)
      assert.match(badDecision.err, /follow-stored, block/)
      const badKey = await hashmesh('decide', 'abc', 'block', '--node', nowhere, '--token', TOKEN, '--json')
      assert.equal(badKey.code, 2)
      assert.equal(errorCode(badKey.out), 'USAGE')
      assert.equal((await hashmesh('decide', FORKED, 'block', '--node', url, '--token', 'wrong')).code, 2)
      assert.equal((await hashmesh('decide', FORKED, 'block', '--node', url, '--data', dir)).code, 2)
      assert.equal(await decision(), 'undecided')
    })

    it('exit 3 when no node answers', async () => {
      assert.equal((await hashmesh('decide', FORKED, 'block', '--node', await closedPortUrl(), '--token', TOKEN)).code, 3)
    })
  })

  describe('publish', () => {
    const md5Lines = (n: number): string[] => Array.from({ length: n }, (_, i) => JSON.stringify({ type: 'md5', value: i.toString(16).padStart(32, '0') }))

    async function input (name: string, text: string): Promise<string> {
      const path = join(dir, name)
      await writeFile(path, text)
      return path
    }

    it('publishes a CSV file and prints each batch and a total', async () => {
      const file = await input('in.csv', `type,value,labels\nmd5,${LISTED_MD5},csam;x\nsha1,${'00'.repeat(20)},\n`)
      const r = await hashmesh('publish', file, '--node', url, '--token', TOKEN)
      assert.equal(r.code, 0, r.err)
      const [batch] = (await node.lookup('md5', LISTED_MD5)).matches
      const line = `batch ${batch!.batchId}  seq 1  entries 2  sent to 0 peer(s) (stored; peers get it by sync)`
      assert.deepEqual(r.out.trim().split('\n'), [line, 'total: 1 batch(es), 2 entries'])
      assert.deepEqual(batch!.labels, ['csam', 'x'])
      assert.deepEqual((await node.lookup('sha1', '00'.repeat(20))).matches.map(m => [m.batchId, m.labels]), [[batch!.batchId, []]])
    })

    it('reads the token from DIR/admin.token and splits large input', async () => {
      await writeFile(join(dir, 'admin.token'), `${TOKEN}\n`, { mode: 0o600 })
      const lines = Array.from({ length: 10_001 }, (_, i) => JSON.stringify({ type: 'md5', value: i.toString(16).padStart(32, '0') }))
      const file = await input('in.jsonl', lines.join('\n'))
      const r = await hashmesh('publish', file, '--node', url, '--data', dir, '--json')
      assert.equal(r.code, 0, r.err)
      assert.deepEqual((oneJsonDocument(r.out) as { total: unknown }).total, { batches: 2, entries: 10_001 })
      assert.deepEqual(await own(), { seq: 2, batches: 2, entries: 10_001 })
    })

    it('checks the whole file first: a bad last line publishes nothing (exit 2)', async () => {
      const file = await input('in.csv', `type,value,labels\nmd5,${LISTED_MD5},\nmd5,nothex,\n`)
      const r = await hashmesh('publish', file, '--node', url, '--token', TOKEN, '--json')
      assert.equal(r.code, 2)
      assert.equal(errorCode(r.out), 'BAD_INPUT')
      assert.match(r.err, /in\.csv:3: /)
      assert.equal((await own()).seq, 0)
    })

    it('exit 2 for a wrong token, a missing token, a missing file', async () => {
      const file = await input('in.csv', `type,value\nmd5,${LISTED_MD5}\n`)
      assert.equal((await hashmesh('publish', file, '--node', url, '--token', 'wrong')).code, 2)
      assert.equal((await hashmesh('publish', file, '--node', url, '--data', dir)).code, 2)
      assert.equal((await hashmesh('publish', join(dir, 'missing.csv'), '--node', url, '--token', TOKEN)).code, 2)
    })

    it('a node that is not admitted: the line a person reads and the --json document both say NOT_ADMITTED, with the reason', async () => {
      await serve({ flags: { forumRoots: [ROOT.hex] } })
      const file = await input('in.csv', `type,value,labels\nmd5,${LISTED_MD5},\n`)
      const human = await hashmesh('publish', file, '--node', url, '--token', TOKEN)
      assert.equal(human.code, 1)
      assert.match(human.err, /^hashmesh: node: NOT_ADMITTED: this node's publisher key [0-9a-f]{64} is not admitted/)
      const json = await hashmesh('publish', file, '--node', url, '--token', TOKEN, '--json')
      const doc = oneJsonDocument(json.out) as JsonFailure
      assert.deepEqual([doc.error.code, doc.error.reason], ['NOT_ADMITTED', 'UNTRUSTED_PUBLISHER'])
    })

    it('reports batches already published when a later one fails', async () => {
      const live = await LiveNode.start()
      await server.close()
      server = await NodeServer.over(live, failingAfter(live.node, 1, new Error('disk full')), TOKEN)
      ;({ node, url, dir } = server)
      const lines = Array.from({ length: 10_001 }, (_, i) => JSON.stringify({ type: 'md5', value: i.toString(16).padStart(32, '0') }))
      const file = await input('in.jsonl', lines.join('\n'))
      const r = await hashmesh('publish', file, '--node', url, '--token', TOKEN, '--json')
      assert.equal(r.code, 1)
      const doc = oneJsonDocument(r.out) as JsonFailure & { total: unknown }
      assert.equal(doc.error.code, 'PUBLISH_INCOMPLETE')
      assert.deepEqual(doc.total, { batches: 1, entries: 10_000 })
      assert.deepEqual(await own(), { seq: 1, batches: 1, entries: 10_000 })
    })

    it('reads the input once: a FIFO whose second read would carry a bad line publishes what the one read gave', async () => {
      const fifo = join(dir, 'in.jsonl')
      await mkfifoAt(fifo)
      const good = await input('first.jsonl', `${JSON.stringify({ type: 'md5', value: LISTED_MD5 })}\n`)
      // A second reader would get 10,001 good entries (a full batch), then a bad line.
      const worse = await input('second.jsonl', `${md5Lines(10_001).join('\n')}\n{"type":"md5","value":"nothex"}\n`)
      // The pause lets the first reader see the end of its input before a second writer opens the FIFO.
      const writer = spawn('sh', ['-c', 'cat "$1" > "$3"; sleep 1; exec cat "$2" > "$3"', 'sh', good, worse, fifo], { stdio: 'ignore' })
      try {
        const r = await hashmesh('publish', fifo, '--node', url, '--token', TOKEN, '--json')
        assert.equal(r.code, 0, r.err)
        assert.deepEqual(await own(), { seq: 1, batches: 1, entries: 1 })
        assert.deepEqual((await node.lookup('md5', LISTED_MD5)).matches.map(m => m.labels), [[]])
      } finally {
        writer.kill()
      }
    })

    it('a directory is an input error naming it (exit 2)', async () => {
      const r = await hashmesh('publish', dir, '--node', url, '--token', TOKEN, '--json')
      assert.equal(r.code, 2, r.err)
      assert.equal(errorCode(r.out), 'BAD_INPUT')
      assert.ok(r.err.includes(`${dir}: is a directory`), r.err)
    })

    it('an input over --max-entries publishes nothing: exit 2 with the limit and how to split', async () => {
      const file = await input('in.jsonl', md5Lines(11).join('\n'))
      const r = await hashmesh('publish', file, '--node', url, '--token', TOKEN, '--max-entries', '10')
      assert.equal(r.code, 2, r.err)
      assert.match(r.err, /in\.jsonl:11: input too large: more than 10 entries \(--max-entries\).*`split -l 10`/)
      assert.equal((await own()).seq, 0)
      assert.equal((await hashmesh('publish', file, '--node', url, '--token', TOKEN, '--max-entries', '11')).code, 0)
      assert.equal((await hashmesh('publish', file, '--node', url, '--token', TOKEN, '--max-entries', '0')).code, 2)
    })
  })

  describe('hash', () => {
    const photo = vectorPath('images', 'bridge-mods', 'aaa-orig.jpg')
    const featureless = vectorPath('images', 'misc', 'small.jpg')
    const checksum = (file: string): Record<string, string> => readTsv('checksums.tsv').find(r => r.file === file)!

    it('prints md5, sha1, sha256, and pdq with its quality for an image', async () => {
      const r = await hashmesh('hash', photo)
      assert.equal(r.code, 0)
      const expected = await hashFile(await readFile(photo))
      assert.match(r.out, new RegExp(`^  md5 +${checksum('bridge-mods/aaa-orig.jpg').md5}$`, 'm'))
      assert.match(r.out, new RegExp(`^  sha256 +${checksum('bridge-mods/aaa-orig.jpg').sha256}$`, 'm'))
      assert.match(r.out, new RegExp(`^  pdq +${expected.pdq!.hash}  quality 100$`, 'm'))
      assert.match(r.out, /jpeg 1600×1004/)
    })

    it('a file that is not an image gets exact hashes only', async () => {
      const text = join(dir, 'notes.txt')
      await writeFile(text, 'hello')
      const r = await hashmesh('hash', text, '--json')
      assert.equal(r.code, 0)
      const [doc] = oneJsonDocument(r.out) as [Record<string, unknown>]
      assert.deepEqual(Object.keys(doc).sort(), ['bytes', 'file', 'md5', 'sha1', 'sha256'])
      assert.equal(doc.md5, '5d41402abc4b2a76b9719d911017c592')
    })

    it('--json prints one document for all files, as the hasher computes them', async () => {
      const r = await hashmesh('hash', photo, featureless, '--json', '--mode', 'tool', '--dihedral')
      assert.equal(r.code, 0)
      const expected = await Promise.all([photo, featureless]
        .map(async f => ({ file: f, ...await hashFile(await readFile(f), { mode: 'tool', dihedral: true }) })))
      assert.deepEqual(oneJsonDocument(r.out), expected)
    })

    it('--csv prints rows for publish; a pdq under quality 50 is left out and said so', async () => {
      const r = await hashmesh('hash', photo, featureless, '--csv', '--labels', 'terror;tier:1')
      assert.equal(r.code, 0)
      const rows = r.out.trim().split('\n')
      assert.equal(rows[0], 'type,value,labels')
      assert.deepEqual(rows.slice(1).map(row => row.split(',')[0]), ['md5', 'sha1', 'sha256', 'pdq', 'md5', 'sha1', 'sha256'])
      assert.ok(rows.slice(1).every(row => row.endsWith(',terror;tier:1')))
      assert.match(r.err, /small\.jpg: pdq quality 0 is below 50/)
    })

    it('exit 2 for a missing file, a bad label, --labels without --csv, or --csv with --json', async () => {
      assert.equal((await hashmesh('hash', join(dir, 'missing.jpg'))).code, 2)
      assert.equal((await hashmesh('hash', photo, '--csv', '--labels', 'has space')).code, 2)
      assert.equal((await hashmesh('hash', photo, '--labels', 'terror')).code, 2)
      assert.equal((await hashmesh('hash', photo, '--csv', '--json')).code, 2)
      assert.equal((await hashmesh('hash', photo, '--mode', 'fast')).code, 2)
    })
  })

  describe('match', () => {
    const photo = vectorPath('images', 'bridge-mods', 'aaa-orig.jpg')
    const rotated = vectorPath('images', 'dih', 'bridge-2-rotate-90.jpg')
    const featureless = vectorPath('images', 'misc', 'small.jpg')

    /** The hash with its first `bits` bits flipped. */
    function nearby (hex: string, bits: number): string {
      const bytes = Buffer.from(hex, 'hex')
      for (let i = 0; i < bits; i++) bytes[i >> 3]! ^= 0x80 >> (i & 7)
      return bytes.toString('hex')
    }

    it('exit 0 and the near match with its distance when the node lists a hash near the image', async () => {
      const { pdq } = await hashFile(await readFile(photo))
      const listed = nearby(pdq!.hash, 12)
      await node.publish([{ type: 'pdq', value: listed, labels: ['csam'] }])
      const r = await hashmesh('match', photo, '--node', url)
      assert.equal(r.code, 0)
      assert.match(r.out, /^MATCH: .*aaa-orig\.jpg, pdq quality 100$/m)
      assert.match(r.out, new RegExp('distance +12$', 'm'))
      assert.match(r.out, new RegExp(`value +${listed}$`, 'm'))
      assert.match(r.out, /labels +csam/)
    })

    it('honours --max-distance', async () => {
      const { pdq } = await hashFile(await readFile(photo))
      await node.publish([{ type: 'pdq', value: nearby(pdq!.hash, 40), labels: ['csam'] }])
      assert.equal((await hashmesh('match', photo, '--node', url)).code, 1)
      assert.equal((await hashmesh('match', photo, '--node', url, '--max-distance', '40')).code, 0)
    })

    it('finds a rotated copy only with --dihedral, naming the variant', async () => {
      await node.publish([{ type: 'pdq', value: (await hashFile(await readFile(photo))).pdq!.hash, labels: ['csam'] }])
      assert.equal((await hashmesh('match', rotated, '--node', url)).code, 1)
      const r = await hashmesh('match', rotated, '--node', url, '--dihedral', '--json')
      assert.equal(r.code, 0)
      const [doc] = oneJsonDocument(r.out) as [{ variants: string[], results: Array<{ type: string, matches: Array<{ distance: number, variant: number }> }> }]
      const pdqResult = doc.results.find(x => x.type === 'pdq')!
      assert.ok(pdqResult.matches[0]!.distance <= 31, `distance ${pdqResult.matches[0]!.distance}`)
      assert.equal(doc.variants[pdqResult.matches[0]!.variant], 'rotate270')
    })

    it('exit 0 for an exact hash the node lists; exit 1 when nothing is listed', async () => {
      assert.equal((await hashmesh('match', photo, '--node', url)).code, 1)
      await node.publish([{ type: 'md5', value: (await hashFile(await readFile(photo))).md5, labels: ['csam'] }])
      const r = await hashmesh('match', photo, featureless, '--node', url)
      assert.equal(r.code, 0)
      assert.match(r.out, /^MATCH: .*aaa-orig\.jpg/m)
      assert.match(r.out, /^not listed: .*small\.jpg, pdq quality 0 \(pdq quality below 50: exact hashes only\)$/m)
    })

    it('does not look up the pdq of an image under the quality threshold', async () => {
      await node.publish([{ type: 'pdq', value: (await hashFile(await readFile(featureless))).pdq!.hash, labels: ['csam'] }])
      const r = await hashmesh('match', featureless, '--node', url, '--json')
      assert.equal(r.code, 1)
      const [doc] = oneJsonDocument(r.out) as [{ pdqSkipped: string, results: Array<{ type: string }> }]
      assert.equal(doc.pdqSkipped, 'LOW_QUALITY')
      assert.deepEqual(doc.results.map(x => x.type), ['md5', 'sha1', 'sha256'])
    })

    it('exit 2 for a bad --max-distance or a missing file, 3 when no node answers', async () => {
      assert.equal((await hashmesh('match', photo, '--node', url, '--max-distance', '257')).code, 2)
      assert.equal((await hashmesh('match', photo, '--node', url, '--max-distance', '-1')).code, 2)
      assert.equal((await hashmesh('match', join(dir, 'missing.jpg'), '--node', url)).code, 2)
      assert.equal((await hashmesh('match', photo, '--node', await closedPortUrl())).code, 3)
    })
  })

  describe('usage', () => {
    it('exit 2 for an unknown option or command, 0 for --help and --version', async () => {
      assert.equal((await hashmesh('lookup', 'md5', LISTED_MD5, '--bogus')).code, 2)
      assert.equal((await hashmesh('frobnicate')).code, 2)
      assert.equal((await hashmesh('lookup', 'md5')).code, 2)
      assert.equal((await hashmesh('--help')).code, 0)
      assert.equal((await hashmesh('--version')).code, 0)
    })
  })
})
