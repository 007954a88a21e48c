import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import { mkdir, symlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import sharp from 'sharp'
import { register as registerWatch } from '../../../src/cli/commands/watch.js'
import type { HashmeshNode } from '../../../src/node/hashmeshNode.js'
import { NodeServer, type Run, runCommand } from './cliHarness.js'

const TOKEN = 'ba5e'.repeat(16)
const rand = (bytes: number): string => randomBytes(bytes).toString('hex')

describe('cli: hashmesh watch against the HTTP API of a real node', function () {
  this.timeout(30_000)
  let server: NodeServer
  let node: HashmeshNode

  async function hashmesh (...args: string[]): Promise<Run> {
    return await runCommand([registerWatch], [...args, '--node', server.url, '--token', TOKEN])
  }

  beforeEach(async () => {
    server = await NodeServer.start(TOKEN)
    node = server.node
  })
  afterEach(async () => {
    await server.close()
  })

  it('add: merges an item\'s rows, names each bad line and skips it, reports counts and the match of one already listed', async () => {
    const listed = rand(32)
    await node.publish([{ type: 'sha256', value: listed }])
    const csv = join(server.dir, 'watch.csv')
    await writeFile(csv, [
      'content_id,type,value',
      `clips/a.mp4,sha256,${listed}`,
      `clips/a.mp4,md5,${rand(16).toUpperCase()}`,
      `clips/b.mp4,sha1,${rand(20)}`,
      `clips/c.mp4,crc32,${rand(4)}`,
      `clips/d.mp4,md5,${rand(15)}`
    ].join('\n'))
    const r = await hashmesh('watch', 'add', csv)
    assert.equal(r.code, 2, r.err)
    assert.match(r.err, /watch\.csv:5: type must be one of md5, sha1, sha256, pdq/)
    assert.match(r.err, /watch\.csv:6: md5 value must be 32 hex characters/)
    assert.match(r.out, /^watched: 2 added, 0 replaced, in 1 request$/m)
    assert.match(r.out, /^already listed \(a match event was emitted for each\): 1$/m)
    const a = await node.watchGet('clips/a.mp4')
    assert.deepEqual(Object.keys(a!.hashes).sort(), ['md5', 'sha256'])
    assert.equal(a!.matched.length, 1)
  })

  it('list pages in id order; remove takes ids with slashes and exits 1 for one not watched', async () => {
    await node.watchAdd(['x/1', 'x/2', 'x/3'].map(id => ({ id, hashes: { md5: rand(16) } })))
    const page = await hashmesh('watch', 'list', '--limit', '2')
    assert.equal(page.code, 0, page.err)
    assert.match(page.out, /^watched items: 3$/m)
    assert.match(page.out, /^x\/1 {2}md5:[0-9a-f]{32} {2}not matched$/m)
    assert.match(page.out, /^next: --after "x\/2"$/m)
    const rest = await hashmesh('watch', 'list', '--after', 'x/2', '--json')
    assert.deepEqual((JSON.parse(rest.out) as { items: Array<{ id: string }> }).items.map(i => i.id), ['x/3'])
    const removed = await hashmesh('watch', 'remove', 'x/1', 'nope')
    assert.equal(removed.code, 1)
    assert.match(removed.out, /^removed: x\/1$/m)
    assert.match(removed.out, /^not watched: nope$/m)
    assert.equal((await node.watchList()).count, 2)
  })

  it('scan: hashes files under DIR with their relative paths as ids, a PDQ for an image, symlinks not followed', async () => {
    const dir = join(server.dir, 'media')
    await mkdir(join(dir, 'sub'), { recursive: true })
    const text = Buffer.from('a document the platform hosts')
    await writeFile(join(dir, 'doc.txt'), text)
    const pixels = Buffer.alloc(64 * 64 * 3)
    for (let i = 0; i < pixels.length; i++) pixels[i] = (i * 7919) % 251
    await sharp(pixels, { raw: { width: 64, height: 64, channels: 3 } }).png().toFile(join(dir, 'sub', 'photo.png'))
    await writeFile(join(server.dir, 'outside.txt'), 'not under DIR')
    await symlink(join(server.dir, 'outside.txt'), join(dir, 'link.txt'))
    const r = await hashmesh('watch', 'scan', dir)
    assert.equal(r.code, 0, r.err)
    assert.match(r.out, /^watched: 2 added/m)
    const ids = (await node.watchList()).items.map(i => i.id)
    assert.deepEqual(ids, ['doc.txt', 'sub/photo.png'])
    assert.deepEqual((await node.watchGet('doc.txt'))!.hashes, {
      md5: createHash('md5').update(text).digest('hex'),
      sha1: createHash('sha1').update(text).digest('hex'),
      sha256: createHash('sha256').update(text).digest('hex')
    })
    assert.match((await node.watchGet('sub/photo.png'))!.hashes.pdq ?? '', /^[0-9a-f]{64}$/)
  })

  it('the HTTP face: admin token required, bounded and checked input, 404 for an unknown id', async () => {
    const post = async (payload: unknown, token = TOKEN): Promise<Response> => await fetch(`${server.url}/v1/watch`, {
      method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(payload)
    })
    assert.equal((await post({ items: [{ id: 'a', hashes: { md5: rand(16) } }] }, 'f00d'.repeat(16))).status, 401)
    const unknownType = await post({ items: [{ id: 'a', hashes: { crc: '00' } }] })
    assert.equal(unknownType.status, 400)
    const control = await post({ items: [{ id: 'a\u0007b', hashes: { md5: rand(16) } }] })
    assert.equal(control.status, 400)
    assert.equal(((await control.json()) as { error: { code: string } }).error.code, 'BAD_CONTENT_ID')
    const twice = await post({ items: [{ id: 'a', hashes: { md5: rand(16) } }, { id: 'a', hashes: { md5: rand(16) } }] })
    assert.equal(((await twice.json()) as { error: { code: string } }).error.code, 'DUPLICATE_CONTENT_ID')
    const tooMany = await post({ items: Array.from({ length: 10_001 }, (_, i) => ({ id: `i${i}`, hashes: { md5: '00'.repeat(16) } })) })
    assert.equal(tooMany.status, 400)
    const auth = { authorization: `Bearer ${TOKEN}` }
    assert.equal((await fetch(`${server.url}/v1/watch/${encodeURIComponent('no/such')}`, { headers: auth })).status, 404)
    assert.equal((await fetch(`${server.url}/v1/watch/${encodeURIComponent('no/such')}`, { method: 'DELETE', headers: auth })).status, 404)
    const asReader = await fetch(`${server.url}/v1/watch`, { headers: { authorization: `Bearer ${'feed'.repeat(16)}` } })
    assert.equal(asReader.status, 401, 'reading the list takes the admin token')
  })
})
