import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { setTimeout as sleep } from 'node:timers/promises'
import { hashFile } from '../../../src/hashing/fileHasher.js'
import { UploadHasher } from '../../../src/node/uploadHasher.js'
import { vectorPath } from '../../helpers/pdqVectors.js'

describe('UploadHasher (worker threads)', function () {
  let hasher: UploadHasher | undefined
  afterEach(async function () { await hasher?.close() })

  it('hashes in a worker exactly as in this thread', async function () {
    hasher = new UploadHasher({ concurrency: 2, maxWaiting: 4, maxPixels: 50_000_000 })
    const bytes = await readFile(vectorPath('images', 'bridge-mods', 'aaa-orig.jpg'))
    assert.deepEqual(await hasher.hash(bytes, { mode: 'tool', dihedral: true }), await hashFile(bytes, { mode: 'tool', dihedral: true }))
  })

  it('keeps the error codes across the thread boundary', async function () {
    hasher = new UploadHasher({ concurrency: 1, maxWaiting: 4, maxPixels: 1000 })
    const photo = await readFile(vectorPath('images', 'bridge-mods', 'aaa-orig.jpg'))
    await assert.rejects(hasher.hash(photo), { name: 'HashingError', code: 'IMAGE_TOO_LARGE' })
    await assert.rejects(hasher.hash(Buffer.from('not an image'), { image: true }), { name: 'HashingError', code: 'UNSUPPORTED_IMAGE' })
    assert.equal((await hasher.hash(Buffer.from('not an image'))).pdq, undefined, 'undeclared bytes get exact hashes only')
  })

  it('answers BUSY past its queue, at once, and serves the queued ones', async function () {
    hasher = new UploadHasher({ concurrency: 1, maxWaiting: 2, maxPixels: 50_000_000 })
    const bytes = await readFile(vectorPath('images', 'misc', 'c.png'))
    const calls = Array.from({ length: 6 }, async () => await hasher!.hash(bytes).then(() => 'done', (err: unknown) => (err as { code?: string }).code))
    const outcomes = await Promise.all(calls)
    assert.ok(outcomes.includes('BUSY'), outcomes.join())
    assert.ok(outcomes.filter(o => o === 'done').length >= 3, outcomes.join())
    assert.deepEqual(new Set(outcomes), new Set(['done', 'BUSY']))
  })

  it('stops its workers once idle, and starts new ones for the next upload', async function () {
    hasher = new UploadHasher({ concurrency: 2, maxWaiting: 4, maxPixels: 50_000_000, idleMs: 300 })
    const bytes = await readFile(vectorPath('images', 'misc', 'c.png'))
    const first = await hasher.hash(bytes)
    assert.ok(hasher.threads > 0)
    const deadline = Date.now() + 10_000
    while (hasher.threads > 0 && Date.now() < deadline) await sleep(50)
    assert.equal(hasher.threads, 0, 'workers still running after the idle time')
    assert.deepEqual(await hasher.hash(bytes), first)
  })
})
