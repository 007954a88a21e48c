import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { initDataDir } from '../../../src/node/dataDir.js'

async function modeOf (path: string): Promise<number> {
  return (await stat(path)).mode & 0o777
}

describe('crypto: data directory keys', function () {
  let base: string

  beforeEach(async function () {
    base = await mkdtemp(join(tmpdir(), 'hashmesh-datadir-'))
  })

  afterEach(async function () {
    await rm(base, { recursive: true, force: true })
  })

  it('creates publisher.key, peer.key and admin.token, each mode 0600, in a 0700 directory', async function () {
    const d = await initDataDir(join(base, 'node'))
    assert.equal(await modeOf(d.paths.root), 0o700)
    for (const path of [d.paths.publisherKey, d.paths.peerKey, d.paths.adminToken]) {
      assert.equal(await modeOf(path), 0o600, path)
    }
    assert.match(d.adminToken, /^[0-9a-f]{64}$/)
    assert.equal((await readFile(d.paths.adminToken, 'utf8')).trim(), d.adminToken)
    assert.equal(d.peerId, peerIdFromPrivateKey(d.peerKey).toString())
  })

  it('is idempotent: a second call returns the same keys, peer id and token', async function () {
    const dir = join(base, 'node')
    const first = await initDataDir(dir)
    const second = await initDataDir(dir)
    assert.deepEqual(second.publisherKey.secretKey, first.publisherKey.secretKey)
    assert.deepEqual(second.publisherKey.publicKey, first.publisherKey.publicKey)
    assert.ok(second.peerKey.equals(first.peerKey))
    assert.equal(second.peerId, first.peerId)
    assert.equal(second.adminToken, first.adminToken)
  })

  it('uses different keys for publishing and for the peer identity', async function () {
    const d = await initDataDir(join(base, 'node'))
    assert.notDeepEqual(Buffer.from(d.publisherKey.publicKey), Buffer.from(d.peerKey.publicKey.raw))
  })

  it('gives two data directories different keys and tokens', async function () {
    const a = await initDataDir(join(base, 'a'))
    const b = await initDataDir(join(base, 'b'))
    assert.notDeepEqual(a.publisherKey.publicKey, b.publisherKey.publicKey)
    assert.notEqual(a.peerId, b.peerId)
    assert.notEqual(a.adminToken, b.adminToken)
  })
})
