import assert from 'node:assert/strict'
import type { FileHashes } from '../../../src/hashing/fileHasher.js'
import type { LookupResult } from '../../../src/lookup/lookupResult.js'
import { matchReport } from '../../../src/lookup/matchReport.js'

const hashes: FileHashes = { bytes: 3, md5: 'ab'.repeat(16), sha1: '00'.repeat(20), sha256: '00'.repeat(32) }

function result (type: string, listed: boolean, match: boolean): LookupResult {
  return { type, value: '00', listed, match, matches: [], hashes: [] }
}

describe('lookup: match report', () => {
  it('reports the policy verdict beside the listing: a listed hash policy refuses is no match', () => {
    const refused = matchReport(hashes, [result('md5', true, false), result('sha1', false, false), result('sha256', false, false)])
    assert.deepEqual([refused.listed, refused.match], [true, false])
    const matched = matchReport(hashes, [result('md5', true, false), result('sha1', true, true), result('sha256', false, false)])
    assert.deepEqual([matched.listed, matched.match], [true, true])
    assert.equal(matched.pdqSkipped, 'NOT_AN_IMAGE')
  })
})
