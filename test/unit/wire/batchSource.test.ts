import assert from 'node:assert/strict'
import fc from 'fast-check'
import { LOCAL_SOURCE, MAX_PEER_CHARS, formatBatchSource, gossipSource, parseBatchSource, peerOf, syncSource } from '../../../src/wire/batchSource.js'
import { batchSourceArbitrary } from '../../helpers/batchSources.js'

describe('wire: BatchSource text codec', () => {
  it('formats as schema-1 stores and logs show it, and parses back', () => {
    assert.equal(formatBatchSource(LOCAL_SOURCE), 'local')
    assert.equal(formatBatchSource(gossipSource('12D3KooWPeer')), 'gossip:12D3KooWPeer')
    assert.equal(formatBatchSource(syncSource('12D3KooWPeer')), 'sync:12D3KooWPeer')
    fc.assert(fc.property(batchSourceArbitrary(), source => {
      assert.deepEqual(parseBatchSource(formatBatchSource(source)), source)
    }))
  })

  it('parses nothing it never formats', () => {
    for (const text of ['', 'carrier-pigeon', ':x', 'gossip:', 'sync', 'local:x', 'gossip:has space', 'relay:p', `gossip:${'p'.repeat(MAX_PEER_CHARS + 1)}`]) {
      assert.equal(parseBatchSource(text), undefined, text)
    }
  })

  it('names the peer of a peer source only', () => {
    assert.deepEqual([peerOf(LOCAL_SOURCE), peerOf(gossipSource('a')), peerOf(syncSource('b'))], [undefined, 'a', 'b'])
  })
})
