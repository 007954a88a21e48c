import assert from 'node:assert/strict'
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type FastifyInstance, fastify } from 'fastify'
import { toHttpError } from '../../../src/api/errorMapping.js'
import { routeAuth } from '../../../src/api/routeAuth.js'
import { registerForumRoutes } from '../../../src/api/routes/forum.js'
import { register as registerForum } from '../../../src/cli/commands/forum.js'
import { register as registerJoin } from '../../../src/cli/commands/join.js'
import { register as registerRotateKey } from '../../../src/cli/commands/rotateKey.js'
import { writeNodeInfo } from '../../../src/cli/nodeInfo.js'
import { verify } from '../../../src/crypto/ed25519.js'
import { loadPublisherKey } from '../../../src/crypto/publisherKey.js'
import { ForumError, type ForumErrorCode } from '../../../src/forum/forumError.js'
import { ForumRecordIngester } from '../../../src/forum/forumRecordIngester.js'
import { Membership } from '../../../src/forum/membership.js'
import { silentLogger } from '../../../src/logger.js'
import { type DataDir, initDataDir } from '../../../src/node/dataDir.js'
import type { ForumNodeApi } from '../../../src/node/forumApi.js'
import { toHex } from '../../../src/signals/hex.js'
import { HashStore } from '../../../src/store/hashStore.js'
import { decodeKeyRotation, decodeSignedForumRecord } from '../../../src/wire/forumCodec.js'
import { makeChain, randomEntries, TEST_NETWORK } from '../../helpers/batches.js'
import { newMember } from '../forum/forumFixtures.js'
import { type Run, runCommand } from './cliHarness.js'
import { LOCAL_SOURCE } from '../../../src/wire/batchSource.js'
import { errorCode } from './jsonOutput.js'

/** What `forum init` and `forum root-key` print with --json. */
interface ForumInitJson { rootKey: string, file: string }

const COMMANDS = [registerForum, registerJoin, registerRotateKey]

/** The statuses proposed for src/api/errorMapping.ts. */
const FORUM_STATUS: Readonly<Record<ForumErrorCode, number>> = {
  WRONG_NETWORK: 400, UNKNOWN_ROOT: 403, FUTURE_TIMESTAMP: 400, DUPLICATE: 409, FORUM_FULL: 507, BAD_SIGNATURE: 400, BAD_ROTATION: 400
}

/** The operator's home: the root key's default place (~/.config/hashmesh) is under it. */
let home: string

async function hashmesh (...args: string[]): Promise<Run> {
  return await runCommand(COMMANDS, args, { HOME: home })
}

async function readRecord (path: string): Promise<ReturnType<typeof decodeSignedForumRecord>> {
  return decodeSignedForumRecord(Buffer.from((await readFile(path, 'utf8')).trim(), 'hex'))
}

describe('cli: forum, join and rotate-key', function () {
  this.timeout(20_000)
  let dir: string
  let data: DataDir
  let rootKey: string
  let store: HashStore
  let membership: Membership
  let app: FastifyInstance
  /** The member heads GET /v1/status reports. */
  let publishers: Array<{ publisher: string, seq: number }>

  /** A node's forum face over a real membership, ingester and store, as the node wires them. */
  function forumNode (ingester: ForumRecordIngester): ForumNodeApi {
    return {
      forum: async () => ({ roots: membership.rootKeys(), revokedEntries: membership.policy, digest: toHex(membership.digest()),
        members: membership.members(Date.now()), revocations: membership.revocations() }),
      submitForumRecord: async signed => {
        const { record, code } = await ingester.submit(signed, LOCAL_SOURCE)
        return { recordId: toHex(record.id), kind: record.body.credential !== undefined ? 'credential' : 'revocation', code }
      }
    }
  }

  beforeEach(async function () {
    dir = await mkdtemp(join(tmpdir(), 'hashmesh-forum-cli-'))
    home = join(dir, 'home')
    data = await initDataDir(join(dir, 'data'))
    const init = await hashmesh('forum', 'init', '--json')
    assert.equal(init.code, 0, init.err)
    rootKey = (JSON.parse(init.out) as ForumInitJson).rootKey
    store = await HashStore.open(join(dir, 'node-db'))
    membership = new Membership({ roots: [rootKey], trusted: [], revokedEntries: 'keep' })
    const ingester = new ForumRecordIngester({ store, membership, logger: silentLogger() }, { network: TEST_NETWORK, maxClockSkewMs: 60_000 })
    publishers = []
    app = fastify()
    app.setErrorHandler(async (err, _request, reply) => {
      if (err instanceof ForumError) return await reply.code(FORUM_STATUS[err.code]).send({ error: { code: err.code, message: err.message } })
      const { status, body } = toHttpError(err)
      return await reply.code(status).send(body)
    })
    app.get('/v1/status', async () => ({ publisherKey: toHex(data.publisherKey.publicKey), publishers }))
    registerForumRoutes(app, forumNode(ingester), routeAuth({ adminToken: data.adminToken, readToken: data.readToken, openReads: false }))
    await app.listen({ host: '127.0.0.1', port: 0 })
    const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
    await writeNodeInfo(data.paths.nodeInfo, { peerId: 'p', multiaddrs: [], http: url, publisherKey: toHex(data.publisherKey.publicKey) })
  })
  afterEach(async function () {
    await app.close()
    await store.close()
    await rm(dir, { recursive: true, force: true })
  })

  const signing = (): string[] => ['--data', data.paths.root, '--network', TEST_NETWORK]

  describe('forum init', function () {
    it('writes a root key readable by its owner only, outside any data dir, and refuses to replace it', async function () {
      const path = join(home, '.config', 'hashmesh', 'forum-root.key')
      assert.equal((await stat(path)).mode & 0o777, 0o600)
      assert.equal(toHex((await loadPublisherKey(path)).publicKey), rootKey)
      assert.equal(await stat(join(data.paths.root, 'forum-root.key')).then(() => true, () => false), false)
      const again = await hashmesh('forum', 'init')
      assert.equal(again.code, 2)
      assert.match(again.err, /already exists; refusing/)
      assert.equal(toHex((await loadPublisherKey(path)).publicKey), rootKey, 'the first key is kept')
      const elsewhere = await hashmesh('forum', 'init', '--key', join(dir, 'other.key'))
      assert.equal(elsewhere.code, 0)
      assert.match(elsewhere.out, /hashmesh start --forum-root [0-9a-f]{64}/)
      assert.match(elsewhere.out, /"forum": \{ "roots": \["[0-9a-f]{64}"\] \}/)
      assert.equal(elsewhere.err, '')
    })

    it('honours XDG_CONFIG_HOME and HASHMESH_FORUM_ROOT_KEY; warns when told to put the key in a node\'s data dir', async function () {
      const xdg = await runCommand(COMMANDS, ['forum', 'init', '--json'], { HOME: home, XDG_CONFIG_HOME: join(dir, 'xdg') })
      assert.equal((JSON.parse(xdg.out) as ForumInitJson).file, join(dir, 'xdg', 'hashmesh', 'forum-root.key'))
      const named = await runCommand(COMMANDS, ['forum', 'init', '--json'], { HOME: home, HASHMESH_FORUM_ROOT_KEY: join(dir, 'named.key') })
      assert.equal((JSON.parse(named.out) as ForumInitJson).file, join(dir, 'named.key'))
      const onNode = await hashmesh('forum', 'init', '--key', join(data.paths.root, 'root.key'))
      assert.equal(onNode.code, 0)
      assert.match(onNode.err, /is a node's data directory; keep the forum root key off every node/)
    })

    it('root-key prints the public key of the default or a given key file', async function () {
      assert.equal((await hashmesh('forum', 'root-key')).out, `${rootKey}\n`)
      const other = join(dir, 'other.key')
      const created = JSON.parse((await hashmesh('forum', 'init', '--key', other, '--json')).out) as ForumInitJson
      assert.equal((JSON.parse((await hashmesh('forum', 'root-key', '--key', other, '--json')).out) as ForumInitJson).rootKey, created.rootKey)
      assert.equal((await hashmesh('forum', 'root-key', '--key', join(dir, 'missing.key'))).code === 0, false)
    })
  })

  describe('forum admit', function () {
    it('signs a credential, writes it as hex, and the node takes it', async function () {
      const member = newMember()
      const out = join(dir, 'alice.credential')
      const r = await hashmesh('forum', 'admit', member.hex, '--org', 'Alice Safety', '--roles', 'publish,opine', '--from', '2025-01-01', '--until',
        '2026-01-01T00:00:00Z', '--serial', '42', '--out', out, ...signing())
      assert.equal(r.code, 0, r.err)
      assert.match(r.out, /submitted\s+ACCEPTED/)
      const record = await readRecord(out)
      const c = record.body.credential
      assert.deepEqual([toHex(record.body.signer), record.body.network, c?.organisation, c?.roles, c?.validFromMs, c?.validUntilMs, c?.serial],
        [rootKey, TEST_NETWORK, 'Alice Safety', ['publish', 'opine'], Date.parse('2025-01-01T00:00:00Z'), Date.parse('2026-01-01T00:00:00Z'), 42])
      assert.ok(verify(record.signature, record.bodyBytes, record.body.signer))
      assert.equal(membership.organisationOf(member.publicKey), 'Alice Safety')
    })

    it('--offline only writes the file; by default into DIR/forum-records, named by key prefix and serial, never the working directory', async function () {
      const member = newMember()
      const cwd = process.cwd()
      const work = join(dir, 'work')
      await mkdir(work)
      process.chdir(work)
      try {
        const r = await hashmesh('forum', 'admit', member.hex, '--org', 'O', '--roles', 'consume', '--until', '2099-01-01', '--serial', '7', '--offline',
          '--json', ...signing())
        assert.equal(r.code, 0, r.err)
        const doc = JSON.parse(r.out) as { submitted: unknown, file: string }
        assert.equal(doc.submitted, null)
        assert.equal(doc.file, join(data.paths.root, 'forum-records', `${member.hex.slice(0, 8)}-7.credential`))
        assert.equal((await readRecord(doc.file)).body.credential?.serial, 7)
        const revoked = JSON.parse((await hashmesh('forum', 'revoke', member.hex, '--offline', '--json', ...signing())).out) as { file: string }
        assert.match(revoked.file, new RegExp(`^${data.paths.root}/forum-records/${member.hex.slice(0, 8)}-all-\\d+\\.revocation$`))
        assert.deepEqual(await readdir(work), [])
      } finally {
        process.chdir(cwd)
      }
      assert.equal(membership.size, 0)
    })

    it('--force overwrites --out; without it the file is kept', async function () {
      const out = join(dir, 'member.credential')
      const member = newMember()
      const admit = async (...extra: string[]): Promise<Run> => await hashmesh('forum', 'admit', member.hex, '--org', 'O', '--roles', 'consume', '--until',
        '2099-01-01', '--offline', '--out', out, ...extra, ...signing())
      assert.equal((await admit('--serial', '1')).code, 0)
      const refused = await admit('--serial', '2')
      assert.equal(refused.code, 2)
      assert.match(refused.err, /already exists; refusing to overwrite it \(choose another with --out, or --force\)/)
      assert.equal((await readRecord(out)).body.credential?.serial, 1)
      assert.equal((await admit('--serial', '3', '--force')).code, 0)
      assert.equal((await readRecord(out)).body.credential?.serial, 3)
    })

    it('takes the network from the node running on the data dir, and says where it came from', async function () {
      await writeNodeInfo(data.paths.nodeInfo,
        { peerId: 'p', multiaddrs: [], http: 'http://127.0.0.1:1', publisherKey: toHex(data.publisherKey.publicKey), network: 'example-forum' })
      const out = join(dir, 'n.credential')
      const r = await hashmesh('forum', 'admit', newMember().hex, '--org', 'O', '--roles', 'publish', '--until', '2099-01-01', '--offline', '--out', out,
        '--data', data.paths.root)
      assert.equal(r.code, 0, r.err)
      assert.equal((await readRecord(out)).body.network, 'example-forum')
      assert.match(r.out, /network from\s+the node running on /)
      const env = await runCommand(COMMANDS,
        ['forum', 'admit', newMember().hex, '--org', 'O', '--roles', 'publish', '--until', '2099-01-01', '--offline', '--out', join(dir, 'e.credential'),
          '--data', data.paths.root], { HOME: home, HASHMESH_NETWORK: 'from-env' })
      assert.equal((await readRecord(join(dir, 'e.credential'))).body.network, 'from-env', env.err)
    })

    it('takes the network from the config file', async function () {
      const config = join(dir, 'config.json')
      await writeFile(config, JSON.stringify({ network: 'from-config', dataDir: data.paths.root }))
      const out = join(dir, 'c.credential')
      const r = await hashmesh('forum', 'admit', newMember().hex, '--org', 'O', '--roles', 'publish', '--until', '2099-01-01', '--offline', '--out', out,
        '--config', config)
      assert.equal(r.code, 0, r.err)
      assert.equal((await readRecord(out)).body.network, 'from-config')
    })

    it('exit 2 for a bad key, roles, date, validity, serial or organisation, and for an existing output file', async function () {
      const key = newMember().hex
      const base = ['--org', 'O', '--roles', 'publish', '--until', '2099-01-01', '--offline', ...signing()]
      const existing = join(dir, 'exists.credential')
      await writeFile(existing, 'keep me\n')
      const cases = [
        ['forum', 'admit', key.slice(2), ...base],
        ['forum', 'admit', key, ...base, '--roles', 'publish,admin'],
        ['forum', 'admit', key, ...base, '--roles', 'publish,publish'],
        ['forum', 'admit', key, ...base, '--until', '2099-02-30'],
        ['forum', 'admit', key, ...base, '--until', 'next year'],
        ['forum', 'admit', key, ...base, '--from', '2099-01-01'],
        ['forum', 'admit', key, ...base, '--serial', '0'],
        ['forum', 'admit', key, ...base, '--org', ''],
        ['forum', 'admit', key, ...base, '--out', existing],
        ['forum', 'admit', key, '--org', 'O', '--roles', 'publish', '--offline', ...signing()]
      ]
      for (const args of cases) assert.equal((await hashmesh(...args)).code, 2, args.join(' '))
      assert.equal(await readFile(existing, 'utf8'), 'keep me\n')
    })
  })

  describe('forum revoke', function () {
    it('takes last_seq from the member\'s head on the node and says so', async function () {
      const member = newMember()
      publishers = [{ publisher: member.hex, seq: 7 }]
      const out = join(dir, 'r.revocation')
      const r = await hashmesh('forum', 'revoke', member.hex, '--serial', '3', '--reason', 'left the forum', '--at', '2025-06-01', '--out', out, ...signing())
      assert.equal(r.code, 0, r.err)
      assert.match(r.out, /last seq 7 is the member's head on the node/)
      const revocation = (await readRecord(out)).body.revocation
      assert.deepEqual(revocation && { ...revocation, member: toHex(revocation.member) },
        { member: member.hex, serial: 3, effectiveAtMs: Date.parse('2025-06-01T00:00:00Z'), lastSeq: 7, reason: 'left the forum' })
      assert.equal(membership.revocations().length, 1)
    })

    it('--last-seq is used as given; --offline without it has no seq bound; serial defaults to 0 (all)', async function () {
      const member = newMember()
      const given = join(dir, 'given.revocation')
      assert.equal((await hashmesh('forum', 'revoke', member.hex, '--last-seq', '12', '--offline', '--out', given, ...signing())).code, 0)
      assert.deepEqual([(await readRecord(given)).body.revocation?.lastSeq, (await readRecord(given)).body.revocation?.serial], [12, 0])
      const none = join(dir, 'none.revocation')
      const r = await hashmesh('forum', 'revoke', member.hex, '--offline', '--out', none, ...signing())
      assert.match(r.out, /no seq bound/)
      assert.equal((await readRecord(none)).body.revocation?.lastSeq, 0)
      assert.equal((await hashmesh('forum', 'revoke', member.hex, '--reason', 'a\tb', '--offline', ...signing())).code, 2)
    })
  })

  describe('forum members', function () {
    it('lists each credential with how it stands, and the revocations', async function () {
      const member = newMember()
      assert.equal((await hashmesh('forum', 'admit', member.hex, '--org', 'Bob Org', '--roles', 'publish', '--from', '2020-01-01', '--until', '2099-01-01',
        '--serial', '5', '--out', join(dir, 'b.credential'), ...signing())).code, 0)
      assert.equal((await hashmesh('forum', 'revoke', member.hex, '--serial', '5', '--at', '2098-01-01', '--out', join(dir, 'b.revocation'),
        ...signing())).code, 0)
      const r = await hashmesh('forum', 'members', '--data', data.paths.root)
      assert.equal(r.code, 0, r.err)
      assert.match(r.out, new RegExp(`^ {2}${member.hex} {2}Bob Org {2}revoked$`, 'm'))
      assert.match(r.out, /revoked from 2098-01-01T00:00:00.000Z/)
      assert.match(r.out, new RegExp(`^ {2}${member.hex} {2}serial 5 {2}from 2098-01-01T00:00:00.000Z$`, 'm'))
      const members = await hashmesh('forum', 'members', '--data', data.paths.root, '--json')
      const json = JSON.parse(members.out) as { roots: string[], members: unknown[], revocations: unknown[] }
      assert.deepEqual([json.roots, json.members.length, json.revocations.length], [[rootKey], 1, 1])
    })
  })

  describe('join', function () {
    it('submits the credential and prints it; warns when it admits another key than this node\'s', async function () {
      const own = join(dir, 'own.credential')
      const publisher = toHex(data.publisherKey.publicKey)
      assert.equal((await hashmesh('forum', 'admit', publisher, '--org', 'Us', '--roles', 'publish,consume', '--until', '2099-01-01', '--offline', '--out',
        own, ...signing())).code, 0)
      const r = await hashmesh('join', own, '--data', data.paths.root)
      assert.equal(r.code, 0, r.err)
      assert.equal(r.err, '')
      assert.match(r.out, /organisation\s+Us/)
      assert.match(r.out, /submitted\s+ACCEPTED/)
      assert.equal((await hashmesh('join', own, '--data', data.paths.root)).out.includes('DUPLICATE'), true)

      const other = join(dir, 'other.credential')
      assert.equal((await hashmesh('forum', 'admit', newMember().hex, '--org', 'Them', '--roles', 'publish', '--until', '2099-01-01', '--offline', '--out',
        other, ...signing())).code, 0)
      const warned = await hashmesh('join', other, '--data', data.paths.root)
      assert.equal(warned.code, 0)
      assert.match(warned.err, /warning: this credential admits [0-9a-f]{64}, but this node publishes as/)
    })

    it('exit 2 for a revocation, a file that is not a record, or a missing file; the node\'s refusal otherwise', async function () {
      const revocation = join(dir, 'x.revocation')
      assert.equal((await hashmesh('forum', 'revoke', newMember().hex, '--offline', '--out', revocation, ...signing())).code, 0)
      const garbage = join(dir, 'garbage.credential')
      await writeFile(garbage, 'not hex at all\n')
      const short = join(dir, 'short.credential')
      await writeFile(short, 'abcd\n')
      for (const file of [revocation, garbage, short, join(dir, 'missing')]) {
        const r = await hashmesh('join', file, '--data', data.paths.root, '--json')
        assert.equal(r.code, 2, file)
        assert.equal(errorCode(r.out), 'BAD_INPUT')
      }
      const foreign = join(dir, 'foreign.credential')
      const otherRoot = join(dir, 'other-root.key')
      assert.equal((await hashmesh('forum', 'init', '--key', otherRoot)).code, 0)
      assert.equal((await hashmesh('forum', 'admit', newMember().hex, '--org', 'X', '--roles', 'publish', '--until', '2099-01-01', '--offline',
        '--root-key', otherRoot, '--out', foreign, ...signing())).code, 0)
      const refused = await hashmesh('join', foreign, '--data', data.paths.root, '--json')
      assert.equal(refused.code, 1)
      assert.equal(errorCode(refused.out), 'UNKNOWN_ROOT')
    })
  })

  describe('rotate-key', function () {
    it('signs a rotation with the old key at its head seq, retires the old key file, and the rotation goes into a credential', async function () {
      const old = data.publisherKey
      const db = await HashStore.open(data.paths.db)
      for (const b of makeChain(old.secretKey, [randomEntries(1), randomEntries(1), randomEntries(1)])) {
        await db.applyBatch(b, { receivedAtMs: 1, source: LOCAL_SOURCE })
      }
      await db.close()

      const r = await hashmesh('rotate-key', '--data', data.paths.root, '--network', TEST_NETWORK, '--json')
      assert.equal(r.code, 0, r.err)
      const doc = JSON.parse(r.out) as { retiredKeyFile: string, newKey: string, rotationFile: string }
      const retired = join(data.paths.root, `publisher.key.retired-${toHex(old.publicKey).slice(0, 8)}`)
      assert.equal(doc.retiredKeyFile, retired)
      assert.equal((await stat(retired)).mode & 0o777, 0o600)
      assert.equal(toHex((await loadPublisherKey(retired)).secretKey), toHex(old.secretKey))
      const next = await loadPublisherKey(data.paths.publisherKey)
      assert.equal((await stat(data.paths.publisherKey)).mode & 0o777, 0o600)
      assert.equal(doc.newKey, toHex(next.publicKey))
      assert.notEqual(doc.newKey, toHex(old.publicKey))

      const rotation = decodeKeyRotation(Buffer.from((await readFile(doc.rotationFile, 'utf8')).trim(), 'hex'))
      assert.deepEqual([toHex(rotation.body.oldKey), toHex(rotation.body.newKey), rotation.body.lastSeq, rotation.body.network],
        [toHex(old.publicKey), doc.newKey, 3, TEST_NETWORK])
      assert.ok(verify(rotation.signature, rotation.bodyBytes, old.publicKey))

      const admitted = await hashmesh('forum', 'admit', doc.newKey, '--org', 'Us', '--roles', 'publish', '--until', '2099-01-01', '--rotation',
        doc.rotationFile, '--out', join(dir, 'new.credential'), ...signing())
      assert.equal(admitted.code, 0, admitted.err)
      assert.equal(membership.rotatedTo(old.publicKey), doc.newKey)
      const wrongKey = await hashmesh('forum', 'admit', newMember().hex, '--org', 'Us', '--roles', 'publish', '--until', '2099-01-01', '--rotation',
        doc.rotationFile, '--offline', ...signing())
      assert.equal(wrongKey.code, 2)
      assert.match(wrongKey.err, /the rotation moves to/)
    })

    it('refuses while a node holds the store, and changes nothing', async function () {
      const running = await HashStore.open(data.paths.db)
      try {
        const r = await hashmesh('rotate-key', '--data', data.paths.root, '--network', TEST_NETWORK)
        assert.equal(r.code, 2)
        assert.match(r.err, /stop the node/)
      } finally {
        await running.close()
      }
      assert.equal(toHex((await loadPublisherKey(data.paths.publisherKey)).publicKey), toHex(data.publisherKey.publicKey))
    })
  })
})
