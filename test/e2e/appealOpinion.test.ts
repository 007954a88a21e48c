import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parse } from 'csv-parse/sync'
import type { NodeInfo } from '../../src/cli/nodeInfo.js'
import { NodeProcess, runCli, runCliProcess } from '../../src/cli/nodeProcess.js'
import type { LookupResult, NodeStatus } from '../../src/node/interface.js'
import type { AppealResult, MatchPage, MatchRecord, MatchStats } from '../../src/node/matchesApi.js'
import { getJson, postJson } from '../helpers/http.js'
import { waitFor } from '../helpers/waitFor.js'

const NETWORK = 'e2e-appeal'
/** Only a hung test waits this long. */
const HUNG_AFTER_MS = 60_000

function nodeArgs (extra: string[]): string[] {
  return ['--network', NETWORK, '--listen', '/ip4/127.0.0.1/tcp/0', '--http', '127.0.0.1:0', '--open-reads', ...extra]
}

async function lookup (info: NodeInfo, value: string): Promise<LookupResult> {
  return (await getJson<LookupResult>(`${info.http}/v1/lookup/sha256/${value}`)).body
}

/**
 * The moderation loop on B with the CLI, as a platform's staff would run it: B records the match
 * of content it hosts, acts on it, and a grievance officer upholds the user's appeal. B's signed
 * false_positive opinion then reaches C across the line A–B–C, and C counts it.
 */
describe('appeal across the line A–B–C (real processes): B\'s upheld appeal is a signed opinion C sees', function () {
  this.timeout(HUNG_AFTER_MS * 3)
  let base: string
  const dirs = { a: '', b: '', c: '' }
  let a: NodeProcess, b: NodeProcess, c: NodeProcess
  let infoA: NodeInfo, infoB: NodeInfo, infoC: NodeInfo
  const listed = randomBytes(32).toString('hex')

  before(async function () {
    base = await mkdtemp(join(tmpdir(), 'hashmesh-e2e-appeal-'))
    for (const k of ['a', 'b', 'c'] as const) dirs[k] = join(base, k)
    const keyOf = async (dir: string): Promise<string> => (JSON.parse(await runCli(['init', '--data', dir, '--json'])) as { publisherKey: string }).publisherKey
    const [keyA, keyB] = [await keyOf(dirs.a), await keyOf(dirs.b)]
    a = new NodeProcess(dirs.a, nodeArgs([]))
    infoA = await a.start()
    b = new NodeProcess(dirs.b, nodeArgs(['--bootstrap', infoA.multiaddrs[0]!, '--trust', keyA]))
    infoB = await b.start()
    c = new NodeProcess(dirs.c, nodeArgs(['--bootstrap', infoB.multiaddrs[0]!, '--trust', keyA, '--trust', keyB]))
    infoC = await c.start()
    await waitFor('A–B–C mesh', async () => {
      const [sb, sc] = await Promise.all([infoB, infoC].map(async i => (await getJson<NodeStatus>(`${i.http}/v1/status`)).body))
      return sb!.meshPeers.includes(infoA.peerId) && sb!.meshPeers.includes(infoC.peerId) && sc!.meshPeers.includes(infoB.peerId)
    }, 20_000)
    const token = (await readFile(join(dirs.a, 'admin.token'), 'utf8')).trim()
    const published = await postJson(`${infoA.http}/v1/batches`, { entries: [{ type: 'sha256', value: listed, labels: ['csam'] }] }, token)
    assert.equal(published.status, 201)
    await waitFor('the listing on B and C', async () => (await lookup(infoB, listed)).match && (await lookup(infoC, listed)).match, HUNG_AFTER_MS, 100)
  })

  after(async function () {
    await Promise.all([a, b, c].filter(n => n !== undefined).map(async n => await n.stop()))
    await rm(base, { recursive: true, force: true })
  })

  let matchId = ''

  it('B records the match of its content from a lookup with --content-id, and the action its staff report', async function () {
    const looked = await runCli(['lookup', 'sha256', listed, '--content-id', 'post/42', '--data', dirs.b])
    matchId = /recorded as (m_[0-9a-f]{28})/.exec(looked)?.[1] ?? ''
    assert.notEqual(matchId, '', looked)
    await runCli(['matches', 'act', matchId, '--action', 'removed', '--actor', 'moderator-7', '--data', dirs.b])
    const page = JSON.parse(await runCli(['matches', '--status', 'acted', '--data', dirs.b, '--json'])) as MatchPage
    assert.deepEqual(page.matches.map(m => [m.id, m.contentId, m.actions.map(x => x.action)]), [[matchId, 'post/42', ['removed']]])
    const stats = JSON.parse(await runCli(['matches', 'stats', '--data', dirs.b, '--json'])) as MatchStats
    assert.equal(stats.total, 1)
    assert.equal(stats.timeToAction.count, 1)
    const bad = await runCliProcess(['matches', 'act', matchId, '--action', 'deleted', '--data', dirs.b])
    assert.equal(bad.code, 2)
  })

  it('B\'s upheld appeal allowlists the hash on B and puts B\'s signed false_positive on C', async function () {
    const args = ['appeal', 'post/42', '--upheld', '--reason', 'not_violating', '--note', 'news photo', '--data', dirs.b, '--json']
    const out = JSON.parse(await runCli(args)) as AppealResult
    assert.equal(out.record.id, matchId)
    assert.match(out.opinionBatchId ?? '', /^[0-9a-f]{64}$/)
    assert.equal((await lookup(infoB, listed)).match, false)
    const onC = await waitFor('B\'s opinion on C', async () => {
      const r = await lookup(infoC, listed)
      return r.hashes[0]?.opinions.falsePositive.count === 1 ? r : undefined
    }, HUNG_AFTER_MS, 100)
    const opinion = onC.matches.find(m => m.action === 'false_positive')
    assert.equal(opinion?.publisher, infoB.publisherKey)
    assert.equal(opinion?.batchId, out.opinionBatchId)
    assert.equal(opinion?.reason, 'not_violating')
    // C's own policy decides what the opinion does there; B's allowlist is B's alone.
    assert.equal(onC.hashes[0]?.allowlisted, undefined)
    const again = JSON.parse(await runCli(['appeal', 'post/42', '--upheld', '--reason', 'not_violating', '--data', dirs.b, '--json'])) as AppealResult
    assert.equal(again.already, true)
    const none = await runCliProcess(['appeal', 'post/404', '--upheld', '--reason', 'x', '--data', dirs.b])
    assert.equal(none.code, 1)
    assert.match(none.err, /NO_MATCH_FOR_CONTENT/)
  })

  it('B exports its match log with the appeal on the record', async function () {
    const out = join(base, 'matches.csv')
    await runCli(['matches', 'export', '--format', 'csv', '--out', out, '--data', dirs.b])
    const rows: string[][] = parse(await readFile(out, 'utf8'))
    assert.equal(rows.length, 2)
    assert.equal(rows[1]![0], matchId)
    assert.ok(rows[1]!.includes('upheld'))
    const shown = JSON.parse(await runCli(['matches', 'show', matchId, '--data', dirs.b, '--json'])) as MatchRecord
    assert.equal(shown.appeal?.outcome, 'upheld')
  })
})
