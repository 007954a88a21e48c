import assert from 'node:assert/strict'
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Level } from 'level'
import type { NodeInfo } from '../../src/cli/nodeInfo.js'
import { NodeProcess, runCliProcess as hashmesh } from '../../src/cli/nodeProcess.js'
import { dataDirPaths } from '../../src/node/dataDirPaths.js'
import type { ProvenanceReport } from '../../src/node/auditApi.js'
import type { LookupResult, NodeStatus } from '../../src/node/interface.js'
import { getJson, type HttpReply, postJson } from '../helpers/http.js'
import { waitFor } from '../helpers/waitFor.js'

const NETWORK = 'forum-e2e'
const SYNC_TIMEOUT_MS = 30_000
/** Shorter than the default 30 s, so that what gossip cannot deliver (no mesh yet) arrives well within SYNC_TIMEOUT_MS. */
const SYNC_INTERVAL_MS = 3_000

const hash = (n: number): string => Buffer.alloc(32, n).toString('hex')
const H1 = hash(0xa1)
const H2 = hash(0xa2)
const H3 = hash(0xa3)

interface Member { dir: string, config: string, node: NodeProcess, info?: NodeInfo, key: string, admin: string, read: string }
interface Entry { type: string, value: string, labels?: string[], action?: string }
/** POST /v1/batches: only a refusal's body is read here. */
interface PublishReply { error?: { code: string, reason?: string, message: string } }

async function token (path: string): Promise<string> {
  return (await readFile(path, 'utf8')).trim()
}

async function cli (args: string[]): Promise<string> {
  const run = await hashmesh(args)
  assert.equal(run.code, 0, `hashmesh ${args.join(' ')}: ${run.err}${run.out}`)
  return run.out
}

async function get<T> (m: Member, path: string): Promise<T> {
  const reply = await getJson<T>(`${m.info!.http}${path}`, m.read)
  assert.equal(reply.status, 200, `GET ${path}: ${JSON.stringify(reply.body)}`)
  return reply.body
}

async function lookup (m: Member, value: string): Promise<LookupResult> {
  return await get<LookupResult>(m, `/v1/lookup/sha256/${value}`)
}

async function status (m: Member): Promise<NodeStatus> {
  return await get<NodeStatus>(m, '/v1/status')
}

async function publish (m: Member, entries: Entry[]): Promise<HttpReply<PublishReply>> {
  return await postJson<PublishReply>(`${m.info!.http}/v1/batches`, { entries }, m.admin)
}

function headOf (s: NodeStatus, publisher: string): number {
  return s.publishers.find(p => p.publisher === publisher)?.seq ?? 0
}

function ignored (s: NodeStatus, code: string): number {
  return s.validation.ignore[code] ?? 0
}

/** Every forum node has the root key in its config; C hides a revoked member's entries and heeds one false-positive report. */
async function member (base: string, name: string, root: string, extra: Record<string, unknown>): Promise<Member> {
  const dir = join(base, name)
  const key = (JSON.parse(await cli(['init', '--data', dir, '--json'])) as { publisherKey: string }).publisherKey
  const config = join(base, `${name}.json`)
  const trust = name === 'a' ? [key] : []
  const forum = { roots: [root], revokedEntries: 'keep' }
  await writeFile(config, JSON.stringify({ network: NETWORK, trust, syncIntervalMs: SYNC_INTERVAL_MS, forum, ...extra }))
  const paths = dataDirPaths(dir)
  return { dir, config, key, node: new NodeProcess(dir, []), admin: await token(paths.adminToken), read: await token(paths.readToken) }
}

async function start (m: Member, bootstrap: Member[]): Promise<void> {
  const bootstraps = bootstrap.flatMap(b => ['--bootstrap', b.info!.multiaddrs[0]!])
  const args = ['--config', m.config, '--listen', '/ip4/127.0.0.1/tcp/0', '--http', '127.0.0.1:0', ...bootstraps]
  m.node = new NodeProcess(m.dir, args)
  m.info = await m.node.start()
}

/** Flips one byte of the first value in a bucket (or deletes it), through `level` directly, in a copy of the data dir. */
async function corruptCopy (from: string, to: string, bucket: number, how: 'flip' | 'delete'): Promise<void> {
  await cp(from, to, { recursive: true })
  const db = new Level<Uint8Array, Uint8Array>(dataDirPaths(to).db, { keyEncoding: 'view', valueEncoding: 'view' })
  await db.open()
  try {
    const [[key, value]] = await db.iterator({ gte: Uint8Array.of(bucket), lt: Uint8Array.of(bucket + 1), limit: 1 }).all() as [[Uint8Array, Uint8Array]]
    if (how === 'delete') {
      await db.del(key)
    } else {
      // The middle of the record: inside the signed bytes, where every byte is covered by a signature or a hash.
      const edited = Uint8Array.from(value)
      edited[value.length >> 1]! ^= 0x01
      await db.put(key, edited)
    }
  } finally {
    await db.close()
  }
}

describe('forum membership, opinions, revocation and audit end to end (real processes)', function () {
  this.timeout(300_000)
  let base: string
  let rootKey: string
  let root: string
  let a: Member, b: Member, c: Member
  let aLastSeq: number

  before(async function () {
    base = await mkdtemp(join(tmpdir(), 'hashmesh-forum-e2e-'))
    rootKey = join(base, 'forum-root.key')
    root = /[0-9a-f]{64}/.exec(await cli(['forum', 'init', '--key', rootKey]))![0]
    a = await member(base, 'a', root, {})
    b = await member(base, 'b', root, {})
    c = await member(base, 'c', root, { forum: { roots: [root], revokedEntries: 'hide' }, policy: { falsePositiveThreshold: 1, confirmationsRequired: {} } })
    await start(a, [])
    await start(b, [a])
    await start(c, [a, b])
    await waitFor('the gossip mesh', async () => (await status(b)).meshPeers.length === 2 && (await status(c)).meshPeers.length === 2, 20_000)
  })

  after(async function () {
    await Promise.all([a, b, c].filter(m => m !== undefined).map(async m => await m.node.stop()))
    await rm(base, { recursive: true, force: true })
  })

  it('the forum root admits A and B; they join, and every node learns both credentials by gossip', async function () {
    for (const [m, org] of [[a, 'Platform A'], [b, 'Platform B']] as const) {
      const file = join(base, `${org}.credential`)
      await cli(['forum', 'admit', m.key, '--org', org, '--roles', 'publish,opine', '--until', '2099-01-01',
        '--root-key', rootKey, '--config', m.config, '--out', file, '--offline'])
      await cli(['join', file, '--data', m.dir])
    }
    await waitFor('both members on C', async () => {
      const forum = await get<{ members: Array<{ organisation: string, status: string }> }>(c, '/v1/forum')
      return forum.members.filter(x => x.status === 'active').map(x => x.organisation).sort().join() === 'Platform A,Platform B'
    }, SYNC_TIMEOUT_MS)
  })

  it('reads need the read token and writes the admin token, by default', async function () {
    assert.equal((await getJson(`${a.info!.http}/v1/lookup/sha256/${H1}`)).status, 401)
    assert.equal((await getJson(`${a.info!.http}/v1/provenance/sha256/${H1}`)).status, 401)
    assert.equal((await getJson(`${a.info!.http}/healthz`)).status, 200)
    assert.equal((await postJson(`${a.info!.http}/v1/batches`, { entries: [{ type: 'sha256', value: H1 }] }, a.read)).status, 401)
    assert.equal((await postJson(`${a.info!.http}/v1/allowlist`, { type: 'sha256', value: H1, note: 'x', author: 'y' }, a.read)).status, 401)
    assert.equal((await postJson(`${a.info!.http}/v1/audit/verify`, {}, a.read)).status, 401)
  })

  it("B and C accept A's batches and name A's organisation; a key the forum never admitted is refused", async function () {
    const published = await publish(a, [{ type: 'sha256', value: H1, labels: ['terror'] }, { type: 'sha256', value: H2, labels: ['terror'] }])
    assert.equal(published.status, 201, JSON.stringify(published.body))
    for (const m of [b, c]) {
      const found = await waitFor(`H1 on ${m.dir}`, async () => { const r = await lookup(m, H1); return r.match ? r : undefined }, SYNC_TIMEOUT_MS)
      assert.deepEqual(found.matches.map(x => [x.publisher, x.organisation, x.standing]), [[a.key, 'Platform A', 'member']])
    }
    const outsider = await publish(c, [{ type: 'sha256', value: H3 }])
    assert.deepEqual([outsider.status, outsider.body.error?.code], [403, 'NOT_ADMITTED'], 'C was never admitted: its own node refuses to sign for the forum')
    assert.equal(ignored(await status(c), 'UNTRUSTED_PUBLISHER'), 1)
  })

  it('provenance of a hash added by A, retracted by A and re-added by B is complete and in order', async function () {
    assert.equal((await publish(a, [{ type: 'sha256', value: H2, action: 'retract' }])).status, 201)
    await waitFor('the retraction on B', async () => !(await lookup(b, H2)).listed, SYNC_TIMEOUT_MS)
    assert.equal((await publish(b, [{ type: 'sha256', value: H2, labels: ['terror'] }])).status, 201)
    await waitFor("B's add on C", async () => (await lookup(c, H2)).hashes[0]?.addedBy.some(x => x.publisher === b.key), SYNC_TIMEOUT_MS)

    const viaHttp = await get<ProvenanceReport>(c, `/v1/provenance/sha256/${H2}`)
    const viaCli = JSON.parse(await cli(['audit', 'hash', 'sha256', H2, '--data', c.dir, '--json'])) as ProvenanceReport
    assert.deepEqual(viaCli.events, viaHttp.events)
    const { events } = viaHttp
    assert.deepEqual(events.map(e => [e.action, e.publisher, e.organisation, e.seq]), [
      ['add', a.key, 'Platform A', 1], ['retract', a.key, 'Platform A', 2], ['add', b.key, 'Platform B', 1]
    ])
    for (const e of events) {
      assert.equal(e.signature, 'valid')
      assert.match(e.batchId, /^[0-9a-f]{64}$/)
      assert.equal(typeof e.serial, 'number')
      assert.equal(e.root, root)
      assert.ok(['gossip', 'sync'].includes(e.via.path), 'C learned every batch from a peer')
      assert.ok([a.info!.peerId, b.info!.peerId].includes(e.via.peer!), 'and names it')
    }
    const created = events.map(e => Date.parse(e.createdAt))
    assert.deepEqual(created, [...created].sort((x, y) => x - y))
    assert.equal(viaHttp.verdict.match, true)
  })

  it("B reports A's hash a false positive: C sees the report, and C's threshold-1 policy stops matching it", async function () {
    await cli(['opine', 'sha256', H1, 'false_positive', '--reason', 'not_violating', '--data', b.dir])
    const onC = await waitFor('the report on C', async () => {
      const r = await lookup(c, H1)
      return r.hashes[0]?.opinions.falsePositive.count === 1 ? r : undefined
    }, SYNC_TIMEOUT_MS)
    assert.deepEqual(onC.hashes[0]!.opinions.falsePositive.organisations, ['Platform B'])
    assert.equal(onC.listed, true)
    assert.equal(onC.match, false)
    assert.match(onC.hashes[0]!.reasons.join(' '), /false.positive/i)
    const onB = await lookup(b, H1)
    assert.equal(onB.match, true, 'B has no false-positive threshold')
  })

  it('the root revokes A: what A signs afterwards is refused everywhere, also by C that was offline; earlier entries follow each policy', async function () {
    aLastSeq = headOf(await status(b), a.key)
    assert.equal(aLastSeq, 2)
    await c.node.stop()
    await cli(['forum', 'revoke', a.key, '--reason', 'left the forum', '--root-key', rootKey, '--config', b.config, '--data', b.dir,
      '--out', join(base, 'a.revocation')])
    await waitFor('the revocation on A', async () => {
      const forum = await get<{ members: Array<{ publisher: string, status: string }> }>(a, '/v1/forum')
      return forum.members.find(x => x.publisher === a.key)?.status === 'revoked'
    }, SYNC_TIMEOUT_MS)

    // A's config lists its own key in trust, as an operator who once set it up privately might: the
    // revocation a root signed wins over that, over HTTP and on the command line.
    const refused = await publish(a, [{ type: 'sha256', value: H3, labels: ['terror'] }])
    assert.deepEqual([refused.status, refused.body.error?.code, refused.body.error?.reason], [403, 'NOT_ADMITTED', 'CREDENTIAL_REVOKED'])
    assert.doesNotMatch(refused.body.error!.message, /list the key in trust/)
    const file = join(base, 'late.csv')
    await writeFile(file, `type,value,labels\nsha256,${H3},terror\n`)
    const viaCli = await hashmesh(['publish', file, '--data', a.dir])
    assert.equal(viaCli.code, 1)
    assert.match(viaCli.err, /NOT_ADMITTED/)

    // Only an explicit override makes A's node accept its own key against the forum: recorded,
    // shown in status and in lookups as a local decision. The other nodes still refuse.
    const reason = 'e2e: keep publishing locally after the revocation'
    const config = JSON.parse(await readFile(a.config, 'utf8')) as { forum: Record<string, unknown> }
    await writeFile(a.config, JSON.stringify({ ...config, forum: { ...config.forum, overrides: [{ key: a.key, reason }] } }))
    await a.node.stop()
    await start(a, [b])
    const late = await publish(a, [{ type: 'sha256', value: H3, labels: ['terror'] }])
    assert.equal(late.status, 201, JSON.stringify(late.body))
    const onA = await status(a)
    assert.deepEqual([onA.forum.overrides, onA.forum.ignoredTrust, onA.trustedPublishers], [[{ key: a.key, reason }], [a.key], []])
    assert.deepEqual((await lookup(a, H3)).matches.map(x => [x.publisher, x.standing]), [[a.key, 'override']])
    const settings = await getJson<{ records: Array<{ action: string, details: Record<string, unknown> }> }>(`${a.info!.http}/v1/audit/log`, a.admin)
    assert.deepEqual(settings.body.records.filter(r => r.action === 'config.trust').map(r => r.details.overrides), [[], [{ key: a.key, reason }]])
    await waitFor('B refusing the late batch', async () => ignored(await status(b), 'CREDENTIAL_REVOKED') > 0, SYNC_TIMEOUT_MS)
    assert.equal(headOf(await status(b), a.key), aLastSeq)
    assert.equal((await lookup(b, H3)).listed, false)
    const keptOnB = await lookup(b, H1)
    const keptStanding = keptOnB.matches.filter(x => x.publisher === a.key).map(x => x.standing)
    assert.deepEqual([keptOnB.listed, keptStanding], [true, ['revoked']], "B keeps a revoked member's earlier entries")

    await start(c, [a, b])
    await waitFor('C refusing the late batch it pulls from A', async () => ignored(await status(c), 'CREDENTIAL_REVOKED') > 0, SYNC_TIMEOUT_MS)
    assert.equal(headOf(await status(c), a.key), aLastSeq)
    assert.equal((await lookup(c, H3)).listed, false)
    const hiddenOnC = await lookup(c, H1)
    assert.deepEqual([hiddenOnC.listed, hiddenOnC.match, hiddenOnC.matches.filter(x => x.publisher === a.key)], [false, false, []], 'C hides them')
    const audit = await get<ProvenanceReport>(c, `/v1/provenance/sha256/${H1}`)
    assert.ok(audit.events.some(e => e.publisher === a.key && e.action === 'add' && e.standing === 'revoked'), 'still in the store for audit')
  })

  it('B rotates its publisher key: the root admits the new key, its batches count for Platform B, the old history stays attributed', async function () {
    const oldKey = b.key
    await b.node.stop()
    const rotated = JSON.parse(await cli(['rotate-key', '--data', b.dir, '--config', b.config, '--json'])) as
      { oldKey: string, newKey: string, lastSeq: number, rotationFile: string }
    assert.deepEqual([rotated.oldKey, rotated.lastSeq], [oldKey, 2])
    const file = join(base, 'b-rotated.credential')
    await cli(['forum', 'admit', rotated.newKey, '--org', 'Platform B', '--roles', 'publish,opine', '--until', '2099-01-01',
      '--rotation', rotated.rotationFile, '--root-key', rootKey, '--config', b.config, '--out', file, '--offline'])
    await start(b, [a])
    b.key = rotated.newKey
    // Gossipsub keeps a peer that left out of its mesh for a backoff period: until B is grafted again,
    // its credential and batches reach the others by the next sync round (every SYNC_INTERVAL_MS here).
    await cli(['join', file, '--data', b.dir])
    const H4 = hash(0xa4)
    assert.equal((await publish(b, [{ type: 'sha256', value: H4, labels: ['terror'] }])).status, 201)
    const found = await waitFor('the new key\'s batch on C', async () => { const r = await lookup(c, H4); return r.match ? r : undefined }, SYNC_TIMEOUT_MS)
    assert.deepEqual(found.matches.map(x => [x.publisher, x.organisation, x.standing]), [[rotated.newKey, 'Platform B', 'member']])
    const forum = await get<{ members: Array<{ publisher: string, status: string, rotatedTo?: string }> }>(c, '/v1/forum')
    assert.equal(forum.members.find(x => x.publisher === oldKey)?.status, 'rotated')
    const history = await get<ProvenanceReport>(c, `/v1/provenance/sha256/${H2}`)
    assert.deepEqual(history.events.filter(e => e.publisher === oldKey).map(e => [e.organisation, e.standing]), [['Platform B', 'member']],
      'old-key history before the rotation still counts for Platform B')
  })

  it('audit verify passes on an intact store and catches a flipped byte, a deleted batch, an edited index entry and an edited audit record', async function () {
    const log = await getJson<{ records: Array<{ action: string, actor: string, details: Record<string, unknown> }> }>(`${b.info!.http}/v1/audit/log`, b.admin)
    assert.deepEqual(log.body.records.map(r => r.action), ['config.trust', 'forum.record', 'publish', 'publish', 'forum.record', 'forum.record', 'publish'],
      'settings at first start; join; add; opinion; the revocation it took in; join with the new key; add')
    assert.deepEqual(log.body.records.filter(r => r.action === 'forum.record').map(r => r.details.kind), ['credential', 'revocation', 'credential'])
    assert.match(log.body.records[1]!.actor, /^[^@]+@/, 'the CLI names who acted')
    await b.node.stop()
    const clean = await hashmesh(['audit', 'verify', '--data', b.dir, '--config', b.config])
    assert.equal(clean.code, 0, clean.out + clean.err)
    const noConfig = await hashmesh(['audit', 'verify', '--data', b.dir])
    assert.equal(noConfig.code, 0, `the same answer without the config: ${noConfig.out}${noConfig.err}`)
    const moved = join(base, 'b-new-root.json')
    const newRoot = 'ab'.repeat(32)
    const bConfig = JSON.parse(await readFile(b.config, 'utf8')) as Record<string, unknown>
    await writeFile(moved, JSON.stringify({ ...bConfig, dataDir: b.dir, forum: { roots: [newRoot], revokedEntries: 'keep' } }))
    const changed = await hashmesh(['audit', 'verify', '--config', moved])
    assert.equal(changed.code, 0, changed.out + changed.err)
    assert.match(changed.out, new RegExp(`forum roots changed: recorded \\[${root}\\], config \\[${newRoot}\\]`))
    const cases: Array<[string, number, 'flip' | 'delete']> = [
      ['flipped byte in a stored batch', 1, 'flip'],
      ['deleted batch', 1, 'delete'],
      ['edited index entry', 4, 'flip'],
      ['edited audit-log record', 9, 'flip']
    ]
    for (const [what, bucket, how] of cases) {
      const copy = join(base, `b-${bucket}-${how}`)
      await corruptCopy(b.dir, copy, bucket, how)
      const run = await hashmesh(['audit', 'verify', '--data', copy, '--config', b.config, '--json'])
      assert.equal(run.code, 1, `${what}: ${run.out}${run.err}`)
      const report = JSON.parse(run.out) as { ok: boolean, problems: unknown[] }
      assert.equal(report.ok, false, what)
      assert.ok(report.problems.length > 0, what)
    }
  })
})
