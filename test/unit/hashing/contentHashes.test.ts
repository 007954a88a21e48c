import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import fc from 'fast-check'
import { contentHashes } from '../../../src/hashing/contentHashes.js'
import { readTsv, vectorPath } from '../../helpers/pdqVectors.js'
import { hex } from './fixtures.js'

const nodeDigest = (algorithm: string, bytes: Uint8Array): string => createHash(algorithm).update(bytes).digest('hex')

describe('hashing: content hashes', function () {
  it('the empty input gives the well-known digests', function () {
    const h = contentHashes(new Uint8Array(0))
    assert.equal(hex(h.md5), 'd41d8cd98f00b204e9800998ecf8427e')
    assert.equal(hex(h.sha1), 'da39a3ee5e6b4b0d3255bfef95601890afd80709')
    assert.equal(hex(h.sha256), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855')
  })

  it('upstream\'s own MD5 / SHA-256 sample (sample-b.jpg = bridge-mods/aaa-orig.jpg)', async function () {
    const h = contentHashes(await readFile(vectorPath('images', 'bridge-mods/aaa-orig.jpg')))
    assert.equal(hex(h.md5), 'd35c785545392755e7e4164457657269')
    assert.equal(hex(h.sha256), 'b5b0799616df52d475a3968dc7e54f1d0724c912244ffa6175bc786375dd7298')
  })

  describe('checksums.tsv: every image (SHA-1 against node:crypto)', function () {
    for (const row of readTsv('checksums.tsv')) {
      it(row.file!, async function () {
        const bytes = await readFile(vectorPath('images', row.file!))
        const h = contentHashes(bytes)
        assert.equal(bytes.length, Number(row.bytes))
        assert.equal(hex(h.md5), row.md5)
        assert.equal(hex(h.sha256), row.sha256)
        assert.equal(hex(h.sha1), nodeDigest('sha1', bytes))
      })
    }
  })

  it('property: all three agree with node:crypto on arbitrary bytes', function () {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 4096 }), bytes => {
      const h = contentHashes(bytes)
      assert.equal(hex(h.md5), nodeDigest('md5', bytes))
      assert.equal(hex(h.sha1), nodeDigest('sha1', bytes))
      assert.equal(hex(h.sha256), nodeDigest('sha256', bytes))
    }), { numRuns: 200 })
  })
})
