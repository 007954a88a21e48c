import assert from 'node:assert/strict'
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadOrCreatePeerKey, loadPeerKey } from '../../../src/crypto/peerKey.js'
import { loadOrCreatePublisherKey, loadPublisherKey } from '../../../src/crypto/publisherKey.js'
import {
  SecretFileError, fileExists, readSecretFile, writeSecretFile, type SecretFileErrorCode
} from '../../../src/crypto/secretFile.js'

async function rejectsSecret (p: Promise<unknown>, code: SecretFileErrorCode): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof SecretFileError, `expected a SecretFileError, got ${String(err)}`)
    assert.equal(err.code, code)
    return true
  })
}

async function modeOf (path: string): Promise<number> {
  return (await stat(path)).mode & 0o777
}

describe('crypto: secret files', function () {
  let dir: string

  beforeEach(async function () {
    dir = await mkdtemp(join(tmpdir(), 'hashmesh-secret-'))
  })

  afterEach(async function () {
    await rm(dir, { recursive: true, force: true })
  })

  it('creates a file with mode 0600 and reads it back trimmed', async function () {
    const path = join(dir, 'k')
    await writeSecretFile(path, 'abc\n')
    assert.equal(await modeOf(path), 0o600)
    assert.equal(await readSecretFile(path), 'abc')
  })

  it('creates mode 0600 even under a permissive umask', async function () {
    const previous = process.umask(0)
    try {
      await writeSecretFile(join(dir, 'k'), 'abc')
    } finally {
      process.umask(previous)
    }
    assert.equal(await modeOf(join(dir, 'k')), 0o600)
  })

  it('never overwrites an existing file (SECRET_FILE_EXISTS), leaving it as it was', async function () {
    const path = join(dir, 'k')
    await writeSecretFile(path, 'first')
    await rejectsSecret(writeSecretFile(path, 'second'), 'SECRET_FILE_EXISTS')
    assert.equal(await readFile(path, 'utf8'), 'first')
  })

  it('never overwrites a file it did not create either', async function () {
    const path = join(dir, 'k')
    await writeFile(path, 'someone else', { mode: 0o600 })
    await rejectsSecret(writeSecretFile(path, 'mine'), 'SECRET_FILE_EXISTS')
    assert.equal(await readFile(path, 'utf8'), 'someone else')
  })

  for (const mode of [0o644, 0o640, 0o604, 0o660, 0o606, 0o610, 0o601, 0o777]) {
    it(`refuses to read a file with mode ${mode.toString(8)} (INSECURE_PERMISSIONS)`, async function () {
      const path = join(dir, 'k')
      await writeSecretFile(path, 'abc')
      await chmod(path, mode)
      await rejectsSecret(readSecretFile(path), 'INSECURE_PERMISSIONS')
    })
  }

  it('reads a file with mode 0400', async function () {
    const path = join(dir, 'k')
    await writeSecretFile(path, 'abc')
    await chmod(path, 0o400)
    assert.equal(await readSecretFile(path), 'abc')
  })

  it('fileExists tells a missing file from a present one', async function () {
    assert.equal(await fileExists(join(dir, 'missing')), false)
    await writeSecretFile(join(dir, 'k'), 'x')
    assert.equal(await fileExists(join(dir, 'k')), true)
  })

  describe('publisher key file', function () {
    it('is created once and loaded the same afterwards', async function () {
      const path = join(dir, 'publisher.key')
      const a = await loadOrCreatePublisherKey(path)
      const b = await loadOrCreatePublisherKey(path)
      assert.equal(await modeOf(path), 0o600)
      assert.deepEqual(b.secretKey, a.secretKey)
      assert.deepEqual(b.publicKey, a.publicKey)
      assert.equal((await readFile(path, 'utf8')).trim(), Buffer.from(a.secretKey).toString('hex'))
    })

    for (const [what, contents] of [['not hex', 'zz'.repeat(32)], ['too short', 'ab'.repeat(31)], ['too long', 'ab'.repeat(33)], ['empty', '']] as const) {
      it(`refuses a file that is ${what} (BAD_SECRET_FILE)`, async function () {
        const path = join(dir, 'publisher.key')
        await writeSecretFile(path, contents)
        await rejectsSecret(loadPublisherKey(path), 'BAD_SECRET_FILE')
      })
    }

    it('refuses a group-readable key (INSECURE_PERMISSIONS)', async function () {
      const path = join(dir, 'publisher.key')
      await loadOrCreatePublisherKey(path)
      await chmod(path, 0o640)
      await rejectsSecret(loadOrCreatePublisherKey(path), 'INSECURE_PERMISSIONS')
    })
  })

  describe('peer key file', function () {
    it('is created once and loaded the same afterwards', async function () {
      const path = join(dir, 'peer.key')
      const a = await loadOrCreatePeerKey(path)
      const b = await loadOrCreatePeerKey(path)
      assert.equal(await modeOf(path), 0o600)
      assert.ok(a.equals(b))
    })

    it('refuses a file that does not hold a libp2p key (BAD_SECRET_FILE)', async function () {
      for (const [name, contents] of [['a', 'not hex'], ['b', 'abcd'], ['c', '']]) {
        const path = join(dir, name!)
        await writeSecretFile(path, contents!)
        await rejectsSecret(loadPeerKey(path), 'BAD_SECRET_FILE')
      }
    })
  })
})
