import assert from 'node:assert/strict'
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parse } from 'csv-parse/sync'
import { type FastifyInstance, fastify } from 'fastify'
import { toHttpError } from '../../../src/api/errorMapping.js'
import { routeAuth } from '../../../src/api/routeAuth.js'
import { registerAuditRoutes } from '../../../src/api/routes/audit.js'
import { AuditService } from '../../../src/audit/auditService.js'
import { register as registerAudit } from '../../../src/cli/commands/audit.js'
import { writeNodeInfo } from '../../../src/cli/nodeInfo.js'
import { dataDirPaths } from '../../../src/node/dataDirPaths.js'
import { toHex } from '../../../src/signals/hex.js'
import { AuditLog } from '../../../src/store/auditLog.js'
import { ForumRecordStore } from '../../../src/store/forumRecords.js'
import { HashStore } from '../../../src/store/hashStore.js'
import { headKey } from '../../../src/store/keys.js'
import { Action } from '../../../src/wire/types.js'
import { ForumRoot, Publisher, T0, hashEntry, opinionEntry, randomMd5, standingOf } from '../audit/auditFixtures.js'
import { rawDbOf } from '../store/storeFixtures.js'
import { type Run, runCommand } from './cliHarness.js'
import { LOCAL_SOURCE, gossipSource } from '../../../src/wire/batchSource.js'
import { errorCode } from './jsonOutput.js'

const ADMIN = 'ad'.repeat(32)

async function hashmesh (...args: string[]): Promise<Run> {
  return await runCommand([registerAudit], args)
}

describe('cli: hashmesh audit', () => {
  let dir: string
  let store: HashStore | undefined
  const root = new ForumRoot()
  let publisher: Publisher
  const hash = randomMd5()

  /** A data directory whose store holds two batches, a forum record and an audit record. */
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hashmesh-cli-audit-'))
    publisher = new Publisher()
    store = await HashStore.open(dataDirPaths(dir).db)
    const log = new AuditLog(store, { now: () => T0 })
    await publisher.publish(store, [hashEntry(hash, Action.ADD, ['csam'])], T0, { receivedAtMs: T0 + 1, source: gossipSource('12D3KooWPeer') })
    await publisher.publish(store, [opinionEntry(hash, Action.CONFIRM, 'seen_it')], T0 + 1000, { receivedAtMs: T0 + 1001, source: LOCAL_SOURCE })
    await new ForumRecordStore(store).put(root.credential(publisher.publicKey), { receivedAtMs: T0, source: LOCAL_SOURCE })
    await log.append({ actor: 'alice@ops', action: 'config.trust', details: { added: publisher.hex } })
    await store.close()
    store = undefined
  })
  afterEach(async () => {
    await store?.close()
    await rm(dir, { recursive: true, force: true })
  })

  async function configWithRoots (roots: string[]): Promise<string> {
    const file = join(dir, 'config.json')
    await writeFile(file, JSON.stringify({ dataDir: dir, forum: { roots, revokedEntries: 'keep' } }))
    return file
  }

  describe('verify (offline)', () => {
    it('exit 0 on a sound store: counts, the audit head to keep, no problems', async () => {
      const r = await hashmesh('audit', 'verify', '--config', await configWithRoots([toHex(root.publicKey)]))
      assert.equal(r.code, 0, r.err)
      assert.match(r.out, /^verified offline: .*\/db$/m)
      assert.match(r.out, /batches\s+2 \(all signatures verified\)/)
      assert.match(r.out, /forum records\s+1/)
      assert.match(r.out, /^audit head: seq 1 [0-9a-f]{64}$/m)
      assert.match(r.out, /^problems: none$/m)
    })

    it('exit 1 and each problem listed when the store is damaged; --json is one document', async () => {
      store = await HashStore.open(dataDirPaths(dir).db)
      await rawDbOf(store).del(headKey(publisher.publicKey))
      await store.close()
      store = undefined
      const human = await hashmesh('audit', 'verify', '--data', dir)
      assert.equal(human.code, 1)
      assert.match(human.out, /^problems: 2$/m)
      assert.match(human.out, new RegExp(`^  \\[head\\] HEAD_MISSING publisher ${publisher.hex}: `, 'm'))
      assert.match(human.out, /^ {2}\[forum\] FORUM_UNKNOWN_ROOT key /m)
      const json = await hashmesh('audit', 'verify', '--data', dir, '--json')
      assert.equal(json.code, 1)
      const doc = JSON.parse(json.out) as { ok: boolean, verifiedBy: string, problems: Array<{ code: string }> }
      assert.deepEqual([doc.ok, doc.verifiedBy, doc.problems.map(p => p.code)], [false, 'offline', ['HEAD_MISSING', 'FORUM_UNKNOWN_ROOT']])
    })

    it('--expect-head: exit 0 for the current head, 1 for one the log never had, 2 for a malformed one', async () => {
      const config = await configWithRoots([toHex(root.publicKey)])
      const head = (JSON.parse((await hashmesh('audit', 'verify', '--config', config, '--json')).out) as { auditHead: { hash: string } }).auditHead.hash
      const kept = await hashmesh('audit', 'verify', '--config', config, '--expect-head', head)
      assert.equal(kept.code, 0)
      assert.match(kept.out, /record 1, the log up to it is intact/)
      const other = await hashmesh('audit', 'verify', '--config', config, '--expect-head', 'ee'.repeat(32))
      assert.equal(other.code, 1)
      assert.match(other.out, /AUDIT_HEAD_UNEXPECTED/)
      assert.equal((await hashmesh('audit', 'verify', '--config', config, '--expect-head', 'nope')).code, 2)
    })

    describe('the forum roots the node recorded', () => {
      /** What the node writes at start: its trust settings, roots included, in the audit log. */
      async function recordRoots (roots: string[], extra?: (s: HashStore) => Promise<void>): Promise<void> {
        store = await HashStore.open(dataDirPaths(dir).db)
        await new AuditLog(store).append({ actor: 'config', action: 'config.trust', details: { trust: [], roots, revokedEntries: 'keep' } })
        await extra?.(store)
        await store.close()
        store = undefined
      }

      it('without --config, an intact forum store is intact: exit 0', async () => {
        await recordRoots([toHex(root.publicKey)])
        const r = await hashmesh('audit', 'verify', '--data', dir)
        assert.equal(r.code, 0, r.out + r.err)
        assert.match(r.out, /^problems: none$/m)
        assert.doesNotMatch(r.out, /notices/)
      })

      it('with a --config whose roots changed: exit 0, and the change reported as a change', async () => {
        await recordRoots([toHex(root.publicKey)])
        const next = toHex(new ForumRoot().publicKey)
        const r = await hashmesh('audit', 'verify', '--config', await configWithRoots([next]))
        assert.equal(r.code, 0, r.out + r.err)
        assert.match(r.out, /^notices \(changes, not damage\):$/m)
        assert.match(r.out,
          new RegExp(`^  \\[forum\\] FORUM_ROOTS_CHANGED: forum roots changed: recorded \\[${toHex(root.publicKey)}\\], config \\[${next}\\]$`, 'm'))
        assert.match(r.out, /^problems: none$/m)
        const verified = await hashmesh('audit', 'verify', '--config', await configWithRoots([next]), '--json')
        const json = JSON.parse(verified.out) as { ok: boolean, notices: Array<{ code: string }> }
        assert.deepEqual([json.ok, json.notices.map(n => n.code)], [true, ['FORUM_ROOTS_CHANGED']])
      })

      it('a record signed by a key never recorded as a root: exit 1, with or without --config', async () => {
        await recordRoots([toHex(root.publicKey)], async s => {
          await new ForumRecordStore(s).put(new ForumRoot().credential(publisher.publicKey, { serial: 5 }), { receivedAtMs: T0, source: LOCAL_SOURCE })
        })
        for (const args of [['--data', dir], ['--config', await configWithRoots([toHex(root.publicKey)])]]) {
          const r = await hashmesh('audit', 'verify', ...args)
          assert.equal(r.code, 1, r.out)
          assert.match(r.out, /^ {2}\[forum\] FORUM_UNKNOWN_ROOT key /m)
        }
      })
    })

    it('exit 2 for a data directory with no store, and creates none', async () => {
      const empty = join(dir, 'elsewhere')
      const r = await hashmesh('audit', 'verify', '--data', empty, '--json')
      assert.equal(r.code, 2)
      assert.equal(errorCode(r.out), 'USAGE')
      await assert.rejects(readdir(empty), { code: 'ENOENT' })
    })
  })

  describe('against a running node', () => {
    let app: FastifyInstance
    let url: string

    beforeEach(async () => {
      store = await HashStore.open(dataDirPaths(dir).db)
      const service = new AuditService({
        store,
        auditLog: new AuditLog(store),
        standing: standingOf({ [publisher.hex]: 'Org A' }),
        verdict: async () => ({ match: true, reasons: ['listed by Org A (csam)'], listed: true }),
        forumRoots: () => [root.publicKey]
      })
      app = fastify({ ajv: { customOptions: { removeAdditional: false, coerceTypes: false } } })
      app.setErrorHandler(async (err, _request, reply) => {
        const { status, body } = toHttpError(err)
        return await reply.code(status).send(body)
      })
      registerAuditRoutes(app, service, routeAuth({ adminToken: ADMIN, readToken: 'rd'.repeat(32), openReads: true }))
      await app.listen({ host: '127.0.0.1', port: 0 })
      url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
      await writeNodeInfo(dataDirPaths(dir).nodeInfo, { peerId: 'p', multiaddrs: [], http: url, publisherKey: 'k' })
      await writeFile(dataDirPaths(dir).adminToken, `${ADMIN}\n`, { mode: 0o600 })
    })
    afterEach(async () => { await app.close() })

    it('verify: the store is locked by the node, so the node is asked, and the output says so', async () => {
      const r = await hashmesh('audit', 'verify', '--data', dir)
      assert.equal(r.code, 0, r.out + r.err)
      assert.match(r.err, /is in use by a running node; asking that node to verify its store/)
      assert.match(r.out, new RegExp(`^verified by the running node at ${url}`, 'm'))
      const json = JSON.parse((await hashmesh('audit', 'verify', '--data', dir, '--json')).out) as { ok: boolean, verifiedBy: string }
      assert.deepEqual([json.ok, json.verifiedBy], [true, 'node'])
    })

    it('hash: the events in order, then opinions, then the verdict', async () => {
      const r = await hashmesh('audit', 'hash', 'md5', toHex(hash), '--node', url)
      assert.equal(r.code, 0, r.err)
      const text = r.out
      assert.match(text, /^md5 [0-9a-f]{32}: listed, a match under this node's policy$/m)
      assert.match(text, new RegExp(`^${new Date(T0).toISOString()}  add by Org A \\(${publisher.hex}\\)$`, 'm'))
      assert.match(text, /^ {2}received\s+\S+ by gossip from 12D3KooWPeer$/m)
      assert.match(text, /^ {2}signature\s+valid/m)
      assert.match(text, /confirm \(reason seen_it\) by Org A/)
      assert.ok(text.indexOf('events:') < text.indexOf('opinions:') && text.indexOf('opinions:') < text.indexOf('verdict: match'))
      assert.match(text, /^ {2}- listed by Org A \(csam\)$/m)
      const json = JSON.parse((await hashmesh('audit', 'hash', 'md5', toHex(hash), '--node', url, '--json')).out) as { events: unknown[] }
      assert.equal(json.events.length, 2)
      assert.equal((await hashmesh('audit', 'hash', 'md5', 'xyz', '--node', url)).code, 2)
    })

    it('export: CSV to a file (through a .partial file) or JSON Lines to stdout', async () => {
      const out = join(dir, 'export.csv')
      const r = await hashmesh('audit', 'export', '--since', '2024-01-01', '--format', 'csv', '--out', out, '--node', url)
      assert.equal(r.code, 0, r.err)
      assert.match(r.out, /^wrote \d+ bytes of csv to /)
      const rows = parse<Record<string, string>>(await readFile(out, 'utf8'), { columns: true })
      assert.deepEqual(rows.map(x => [x.action, x.organisation, x.reason]), [['add', 'Org A', ''], ['confirm', 'Org A', 'seen_it']])
      assert.deepEqual((await readdir(dir)).filter(f => f.endsWith('.partial')), [])

      const jsonl = await hashmesh('audit', 'export', '--since', '2024-01-01T00:00:00.500Z', '--format', 'jsonl', '--node', url)
      assert.deepEqual(jsonl.out.trimEnd().split('\n').map(l => (JSON.parse(l) as { action: string }).action), ['confirm'])
    })

    it('export: everything as CSV by default, with each row\'s standing', async () => {
      const r = await hashmesh('audit', 'export', '--node', url)
      assert.equal(r.code, 0, r.err)
      const rows = parse<Record<string, string>>(r.out, { columns: true })
      assert.deepEqual(rows.map(x => [x.action, x.organisation, x.standing]), [['add', 'Org A', 'member'], ['confirm', 'Org A', 'member']])
    })

    it('export: exit 2 for a bad date or format, before asking the node', async () => {
      assert.equal((await hashmesh('audit', 'export', '--since', '2024-02-30', '--format', 'csv', '--node', 'http://127.0.0.1:1')).code, 2)
      assert.equal((await hashmesh('audit', 'export', '--since', '2024-01-01', '--format', 'xml', '--node', url)).code, 2)
    })

    it('log: the records and the head, with the admin token from the data directory', async () => {
      const r = await hashmesh('audit', 'log', '--data', dir)
      assert.equal(r.code, 0, r.err)
      assert.match(r.out, new RegExp(`^1  ${new Date(T0).toISOString()}  alice@ops  config.trust  \\{"added":"${publisher.hex}"\\}$`, 'm'))
      assert.match(r.out, /^head: seq 1 [0-9a-f]{64}$/m)
      const page = JSON.parse((await hashmesh('audit', 'log', '--data', dir, '--after', '1', '--json')).out) as { records: unknown[] }
      assert.deepEqual(page.records, [])
      assert.equal((await hashmesh('audit', 'log', '--data', dir, '--limit', '0')).code, 2)
      assert.equal((await hashmesh('audit', 'log', '--node', url, '--token', 'wrong')).code, 2)
    })
  })
})
