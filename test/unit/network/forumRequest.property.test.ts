import assert from 'node:assert/strict'
import fc from 'fast-check'
import { decodeForumRequest, encodeForumRequest } from '../../../src/network/sync/codec.js'
import { SyncError } from '../../../src/network/sync/errors.js'
import { FORUM_DIGEST_BYTES, MAX_REQUEST_BYTES } from '../../../src/network/sync/limits.js'
import { ForumRequestType } from '../../../src/network/sync/schema.js'

const RUNS = 500

function codeOf (fn: () => unknown): string | undefined {
  try {
    fn()
    return undefined
  } catch (err) {
    assert.ok(err instanceof SyncError, `expected a SyncError, got ${String(err)}`)
    return err.code
  }
}

describe('sync: forum request codec properties', function () {
  it('decode(encode(digest)) is the digest, for an empty one and every 32-byte one', function () {
    assert.equal(decodeForumRequest(encodeForumRequest(new Uint8Array(0))).length, 0)
    fc.assert(fc.property(fc.uint8Array({ minLength: FORUM_DIGEST_BYTES, maxLength: FORUM_DIGEST_BYTES }), digest => {
      assert.equal(Buffer.compare(decodeForumRequest(encodeForumRequest(digest)), digest), 0)
    }), { numRuns: RUNS })
  })

  it('refuses a digest of any other length on both sides: BAD_DIGEST', function () {
    fc.assert(fc.property(fc.uint8Array({ minLength: 1, maxLength: 100 }).filter(d => d.length !== FORUM_DIGEST_BYTES), digest => {
      assert.equal(codeOf(() => encodeForumRequest(digest)), 'BAD_DIGEST')
      const expected = digest.length + 2 > MAX_REQUEST_BYTES ? 'OVERSIZED' : 'BAD_DIGEST'
      assert.equal(codeOf(() => decodeForumRequest(ForumRequestType.encode({ digest }).finish())), expected)
    }), { numRuns: RUNS })
  })

  it('throws nothing but SyncError on arbitrary bytes, and refuses any over MAX_REQUEST_BYTES unread', function () {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 2 * MAX_REQUEST_BYTES }), bytes => {
      const code = codeOf(() => decodeForumRequest(bytes))
      if (bytes.length > MAX_REQUEST_BYTES) assert.equal(code, 'OVERSIZED')
    }), { numRuns: RUNS })
  })
})
