import assert from 'node:assert/strict'
import type { FastifyInstance } from 'fastify'
import { Counter, Registry } from 'prom-client'
import sharp from 'sharp'
import { PUBLISH_BODY_LIMIT, LOOKUP_BODY_LIMIT, MAX_LOOKUP_QUERIES, MAX_PUBLISHER_CHARS, MAX_VALUE_CHARS } from '../../../src/api/limits.js'
import { generateSecretKey, publicKeyOf } from '../../../src/crypto/ed25519.js'
import { HashingError } from '../../../src/hashing/errors.js'
import { hashFile } from '../../../src/hashing/fileHasher.js'
import { DIHEDRAL_NAMES } from '../../../src/hashing/pdq/pdqHasher.js'
import { PublishError } from '../../../src/node/batchPublisher.js'
import type { EquivocationInfo, LookupResult, MatchResult, NodeStatus, PublishResult } from '../../../src/node/interface.js'
import { MatchError } from '../../../src/node/uploadHasher.js'
import { toHex } from '../../../src/signals/hex.js'
import { WireError } from '../../../src/wire/errors.js'
import { randomEntries } from '../../helpers/batches.js'
import { LiveNode } from '../../helpers/liveNode.js'
import { vectorPath } from '../../helpers/pdqVectors.js'
import { Root } from '../forum/forumFixtures.js'
import { TEST_READ_TOKEN, testServer } from './testServer.js'
import { throwingNode } from './throwingNode.js'
import type { ErrorBody } from './errorBody.js'

const TOKEN = 'f00d'.repeat(16)
const AUTH = { authorization: `Bearer ${TOKEN}` }
const SHA256 = '0123456789abcdef'.repeat(4)
const PDQ = 'fedcba9876543210'.repeat(4)
const UPLOAD_LIMIT = 64 * 1024
/** The hash the node under test publishes before each test. */
const LISTED_MD5 = 'ab'.repeat(16)
/** A key the node trusts, which signs two different batches for one seq in the equivocation tests. */
const FORKER = generateSecretKey()

function errorCode (res: { json: () => unknown }): string {
  const body = res.json() as { error?: { code?: unknown, message?: unknown } }
  assert.equal(typeof body.error?.message, 'string', 'every error body has a message')
  return String(body.error?.code)
}

describe('api: HTTP server', () => {
  let live: LiveNode
  let registry: Registry
  let app: FastifyInstance

  /** The last seq the node's own publisher key has stored. */
  async function ownSeq (): Promise<number> {
    return (await live.node.status()).publishers.find(p => p.publisher === live.node.publisherKey)?.seq ?? 0
  }

  /** Serves the API over a node that only throws `error`, in place of the live one. */
  async function serveThrowing (error: Error): Promise<void> {
    await app.close()
    app = testServer(throwingNode(error), { adminToken: TOKEN, maxUploadBytes: UPLOAD_LIMIT })
    await app.ready()
  }

  beforeEach(async () => {
    live = await LiveNode.start({ trust: [toHex(publicKeyOf(FORKER))] })
    await live.node.publish([{ type: 'md5', value: LISTED_MD5, labels: ['csam'] }])
    registry = live.registry
    app = testServer(live.node, { adminToken: TOKEN, registry, maxUploadBytes: UPLOAD_LIMIT })
    await app.ready()
  })
  afterEach(async () => {
    await app.close()
    await live.stop()
  })

  describe('GET /v1/lookup/:type/:value', () => {
    it('answers a listed hash', async () => {
      const res = await app.inject({ method: 'GET', url: `/v1/lookup/md5/${LISTED_MD5.toUpperCase()}` })
      assert.equal(res.statusCode, 200)
      const body = res.json<LookupResult>()
      assert.equal(body.listed, true)
      assert.equal(body.value, LISTED_MD5)
      assert.equal(body.matches.length, 1)
      assert.equal(body.match, true)
      assert.deepEqual(body.hashes.map(h => [h.value, h.match]), [[LISTED_MD5, true]])
    })

    it('reports a listed but allowlisted hash as no match', async () => {
      await live.node.allowlistAdd({ type: 'md5', value: LISTED_MD5, note: 'stock photo', author: 'ops' }, 'ops')
      const body = (await app.inject({ method: 'GET', url: `/v1/lookup/md5/${LISTED_MD5}` })).json<LookupResult>()
      assert.deepEqual([body.listed, body.match, body.hashes[0]?.allowlisted?.note], [true, false, 'stock photo'])
    })

    it('answers an unknown hash as not listed', async () => {
      const res = await app.inject({ method: 'GET', url: `/v1/lookup/sha256/${SHA256}` })
      assert.equal(res.statusCode, 200)
      assert.deepEqual(res.json(), { type: 'sha256', value: SHA256, listed: false, matches: [], match: false, hashes: [] })
    })

    it('400 UNKNOWN_SIGNAL_TYPE for a bad type', async () => {
      const res = await app.inject({ method: 'GET', url: `/v1/lookup/crc32/${SHA256}` })
      assert.equal(res.statusCode, 400)
      assert.equal(errorCode(res), 'UNKNOWN_SIGNAL_TYPE')
    })

    it('400 BAD_SIGNAL_VALUE for a bad value', async () => {
      for (const value of ['abc', 'zz'.repeat(32), SHA256.slice(2)]) {
        const res = await app.inject({ method: 'GET', url: `/v1/lookup/sha256/${value}` })
        assert.equal(res.statusCode, 400, value)
        assert.equal(errorCode(res), 'BAD_SIGNAL_VALUE')
      }
    })

    it('400 INVALID_REQUEST for a value beyond the schema bound', async () => {
      const res = await app.inject({ method: 'GET', url: `/v1/lookup/sha256/${'a'.repeat(MAX_VALUE_CHARS + 1)}` })
      assert.equal(res.statusCode, 400)
      assert.equal(errorCode(res), 'INVALID_REQUEST')
    })
  })

  describe('POST /v1/lookup', () => {
    it('answers in request order', async () => {
      const queries = [
        { type: 'sha256', value: SHA256 },
        { type: 'md5', value: LISTED_MD5 },
        { type: 'sha1', value: '00'.repeat(20) }
      ]
      const res = await app.inject({ method: 'POST', url: '/v1/lookup', payload: { queries } })
      assert.equal(res.statusCode, 200)
      const results = res.json<{ results: LookupResult[] }>().results
      assert.deepEqual(results.map(r => [r.type, r.value, r.listed]), [['sha256', SHA256, false], ['md5', LISTED_MD5, true], ['sha1', '00'.repeat(20), false]])
    })

    it('400 with the node\'s code for a bad query', async () => {
      const queries = [{ type: 'md5', value: LISTED_MD5 }, { type: 'md5', value: 'xyz' }]
      const res = await app.inject({ method: 'POST', url: '/v1/lookup', payload: { queries } })
      assert.equal(res.statusCode, 400)
      assert.equal(errorCode(res), 'BAD_SIGNAL_VALUE')
    })

    for (const [name, payload] of [
      ['no queries', { queries: [] }],
      ['too many queries', { queries: Array.from({ length: MAX_LOOKUP_QUERIES + 1 }, () => ({ type: 'md5', value: LISTED_MD5 })) }],
      ['an unknown property', { queries: [{ type: 'md5', value: LISTED_MD5, extra: 1 }] }],
      ['an unknown top-level property', { queries: [{ type: 'md5', value: LISTED_MD5 }], limit: 5 }],
      ['a number for a string', { queries: [{ type: 'md5', value: 5 }] }],
      ['a single object instead of a list', { queries: { type: 'md5', value: LISTED_MD5 } }]
    ] as const) {
      it(`400 INVALID_REQUEST for ${name}`, async () => {
        const res = await app.inject({ method: 'POST', url: '/v1/lookup', payload })
        assert.equal(res.statusCode, 400)
        assert.equal(errorCode(res), 'INVALID_REQUEST')
      })
    }

    it('413 BODY_TOO_LARGE over the lookup body limit', async () => {
      const payload = ' '.repeat(LOOKUP_BODY_LIMIT + 1)
      const res = await app.inject({ method: 'POST', url: '/v1/lookup', headers: { 'content-type': 'application/json' }, payload })
      assert.equal(res.statusCode, 413)
      assert.equal(errorCode(res), 'BODY_TOO_LARGE')
    })

    it('400 for malformed JSON, 415 for another media type', async () => {
      const bad = await app.inject({ method: 'POST', url: '/v1/lookup', headers: { 'content-type': 'application/json' }, payload: '{"queries": [' })
      assert.equal(bad.statusCode, 400)
      assert.equal(errorCode(bad), 'INVALID_REQUEST')
      const text = await app.inject({ method: 'POST', url: '/v1/lookup', headers: { 'content-type': 'text/plain' }, payload: 'md5 ab' })
      assert.equal(text.statusCode, 415)
      assert.equal(errorCode(text), 'UNSUPPORTED_MEDIA_TYPE')
    })
  })

  describe('PDQ lookups by distance', () => {
    it('GET passes maxDistance from the query string to the node', async () => {
      const res = await app.inject({ method: 'GET', url: `/v1/lookup/pdq/${PDQ}?maxDistance=47` })
      assert.equal(res.statusCode, 200)
      assert.equal(res.json<LookupResult>().value, PDQ)
      assert.equal(res.json<LookupResult>().maxDistance, 47)
    })

    it('GET 400 with the node\'s code for a distance past 256 or on an exact type', async () => {
      const far = await app.inject({ method: 'GET', url: `/v1/lookup/pdq/${PDQ}?maxDistance=300` })
      assert.equal(far.statusCode, 400)
      assert.equal(errorCode(far), 'BAD_MAX_DISTANCE')
      const exact = await app.inject({ method: 'GET', url: `/v1/lookup/md5/${LISTED_MD5}?maxDistance=3` })
      assert.equal(exact.statusCode, 400)
      assert.equal(errorCode(exact), 'NOT_PERCEPTUAL')
    })

    for (const query of ['maxDistance=-1', 'maxDistance=3.5', 'maxDistance=abc', 'maxDistance=1000', 'limit=3']) {
      it(`GET 400 INVALID_REQUEST for ?${query}`, async () => {
        const res = await app.inject({ method: 'GET', url: `/v1/lookup/pdq/${PDQ}?${query}` })
        assert.equal(res.statusCode, 400)
        assert.equal(errorCode(res), 'INVALID_REQUEST')
      })
    }

    it('POST takes maxDistance and variants per query', async () => {
      const queries = [{ type: 'pdq', value: PDQ, maxDistance: 40, variants: [SHA256] }, { type: 'md5', value: LISTED_MD5 }]
      const res = await app.inject({ method: 'POST', url: '/v1/lookup', payload: { queries } })
      assert.equal(res.statusCode, 200)
      assert.deepEqual(res.json<{ results: LookupResult[] }>().results.map(r => [r.maxDistance, r.listed]), [[40, false], [undefined, true]])
    })

    it('POST 400 INVALID_REQUEST for more than seven variants or a fractional distance', async () => {
      for (const q of [{ type: 'pdq', value: PDQ, variants: Array.from({ length: 8 }, () => PDQ) }, { type: 'pdq', value: PDQ, maxDistance: 2.5 }]) {
        const res = await app.inject({ method: 'POST', url: '/v1/lookup', payload: { queries: [q] } })
        assert.equal(res.statusCode, 400)
        assert.equal(errorCode(res), 'INVALID_REQUEST')
      }
    })
  })

  describe('POST /v1/match', () => {
    /** Bytes that are no image: the node hashes them exactly, and refuses them when told they are an image. */
    const file = Buffer.from('not really a photo')
    /** A photo within the upload limit, large enough for the two PDQ modes to differ, whose md5 the node lists. */
    let photo: Buffer

    before(async () => {
      photo = await sharp(vectorPath('images', 'bridge-mods', 'aaa-orig.jpg')).resize(700).jpeg({ quality: 50 }).toBuffer()
    })
    beforeEach(async () => {
      await live.node.publish([{ type: 'md5', value: (await hashFile(photo)).md5, labels: ['csam'] }])
    })

    for (const type of ['application/octet-stream', 'image/jpeg', 'image/png', 'image/svg+xml']) {
      it(`hands a ${type} body to the node as bytes`, async () => {
        const res = await app.inject({ method: 'POST', url: '/v1/match', headers: { 'content-type': type }, payload: photo })
        assert.equal(res.statusCode, 200)
        assert.equal(res.json<MatchResult>().listed, true)
        assert.equal(res.json<MatchResult>().hashes.bytes, photo.length)
      })
    }

    const mediaTypes = [
      ['image/png; x=1', true], ['IMAGE/PNG', true], ['Image/Jpeg ; q="a;b"', true],
      ['application/octet-stream; charset=binary', false], ['Application/Octet-Stream', false]
    ] as const
    for (const [type, image] of mediaTypes) {
      it(`reads the media type of ${type} without its parameters or case: an upload, image ${String(image)}`, async () => {
        const res = await app.inject({ method: 'POST', url: '/v1/match', headers: { 'content-type': type }, payload: file })
        const answer = res.statusCode === 200 ? res.json<MatchResult>().pdqSkipped : errorCode(res)
        assert.equal(answer, image ? 'UNSUPPORTED_IMAGE' : 'NOT_AN_IMAGE', res.body)
      })
    }

    it('passes maxDistance, mode and dihedral from the query string', async () => {
      const url = '/v1/match?maxDistance=40&mode=tool&dihedral=true'
      const res = await app.inject({ method: 'POST', url, headers: { 'content-type': 'image/jpeg' }, payload: photo })
      assert.equal(res.statusCode, 200)
      const body = res.json<MatchResult>()
      const [core, tool] = await Promise.all([hashFile(photo), hashFile(photo, { mode: 'tool' })])
      assert.notEqual(core.pdq!.hash, tool.pdq!.hash, 'the modes hash this photo differently')
      assert.equal(body.hashes.pdq?.hash, tool.pdq!.hash)
      assert.deepEqual(body.variants, DIHEDRAL_NAMES)
      assert.equal(body.results.at(-1)?.maxDistance, 40)
    })

    it('413 BODY_TOO_LARGE past the upload limit; the node never sees it', async () => {
      const res = await app.inject({ method: 'POST', url: '/v1/match', headers: { 'content-type': 'image/jpeg' }, payload: Buffer.alloc(UPLOAD_LIMIT + 1) })
      assert.equal(res.statusCode, 413)
      assert.equal(errorCode(res), 'BODY_TOO_LARGE')
      assert.equal(await live.uploadsAnswered(), 0)
    })

    for (const [name, headers, payload] of [
      ['JSON', { 'content-type': 'application/json' }, '{"file":"x"}'],
      ['a form', { 'content-type': 'multipart/form-data; boundary=x' }, '--x--'],
      ['text', { 'content-type': 'text/plain' }, 'hello'],
      ['text with parameters', { 'content-type': 'text/plain; charset=utf-8' }, 'hello'],
      ['a type that only starts like an image', { 'content-type': 'image/png/x' }, 'hello'],
      ['an image-like subtype of another type', { 'content-type': 'application/octet-streamx' }, 'hello']
    ] as const) {
      it(`415 UNSUPPORTED_MEDIA_TYPE for ${name}`, async () => {
        const res = await app.inject({ method: 'POST', url: '/v1/match', headers, payload })
        assert.equal(res.statusCode, 415)
        assert.equal(errorCode(res), 'UNSUPPORTED_MEDIA_TYPE')
        assert.equal(await live.uploadsAnswered(), 0)
      })
    }

    it('400 INVALID_REQUEST for an empty upload', async () => {
      const res = await app.inject({ method: 'POST', url: '/v1/match', headers: { 'content-type': 'application/octet-stream' }, payload: Buffer.alloc(0) })
      assert.equal(res.statusCode, 400)
      assert.equal(errorCode(res), 'INVALID_REQUEST')
    })

    it('400 INVALID_REQUEST for an unknown mode or option', async () => {
      for (const query of ['mode=fast', 'dihedral=yes', 'maxDistance=x', 'store=true']) {
        const res = await app.inject({ method: 'POST', url: `/v1/match?${query}`, headers: { 'content-type': 'image/png' }, payload: file })
        assert.equal(res.statusCode, 400, query)
        assert.equal(errorCode(res), 'INVALID_REQUEST')
      }
    })

    for (const [error, status] of [
      [new HashingError('UNSUPPORTED_IMAGE', 'not an image'), 415],
      [new HashingError('IMAGE_TOO_LARGE', 'too many pixels'), 413],
      [new MatchError('BUSY', 'busy'), 503]
    ] as const) {
      it(`maps ${error.name} ${error.code} to ${status}`, async () => {
        await serveThrowing(error)
        const res = await app.inject({ method: 'POST', url: '/v1/match', headers: { 'content-type': 'image/png' }, payload: file })
        assert.equal(res.statusCode, status)
        assert.equal(errorCode(res), error.code)
        if (status === 503) assert.equal(res.headers['retry-after'], '1')
      })
    }
  })

  describe('POST /v1/batches', () => {
    const entries = [{ type: 'sha256', value: SHA256, labels: ['csam', 'tier:1'] }, { type: 'md5', value: LISTED_MD5, action: 'retract' }]

    it('401 without a token, with a wrong one, or with another scheme', async () => {
      const refused = [
        {},
        { authorization: `Bearer ${'0'.repeat(TOKEN.length)}` },
        { authorization: 'Bearer short' },
        { authorization: `Basic ${TOKEN}` },
        { authorization: TOKEN }
      ]
      for (const headers of refused) {
        const res = await app.inject({ method: 'POST', url: '/v1/batches', headers, payload: { entries } })
        assert.equal(res.statusCode, 401, JSON.stringify(headers))
        assert.equal(errorCode(res), 'UNAUTHORIZED')
        assert.equal(res.headers['www-authenticate'], 'Bearer')
      }
      assert.equal(await ownSeq(), 1)
    })

    it('201 with the token; the node gets the entries as sent', async () => {
      const res = await app.inject({ method: 'POST', url: '/v1/batches', headers: AUTH, payload: { entries } })
      assert.equal(res.statusCode, 201)
      const { batchId, ...published } = res.json<PublishResult>()
      assert.match(batchId, /^[0-9a-f]{64}$/)
      assert.deepEqual(published, { seq: 2, entries: 2, recipients: 0 })
      assert.deepEqual((await live.node.lookup('sha256', SHA256)).matches.map(m => m.labels), [['csam', 'tier:1']])
      assert.equal((await live.node.lookup('md5', LISTED_MD5)).listed, false, 'retracted')
    })

    it('accepts the scheme in any case', async () => {
      const res = await app.inject({ method: 'POST', url: '/v1/batches', headers: { authorization: `bearer ${TOKEN}` }, payload: { entries } })
      assert.equal(res.statusCode, 201)
    })

    it('refuses an unauthenticated oversized body with 401, before reading it', async () => {
      const payload = ' '.repeat(PUBLISH_BODY_LIMIT + 1)
      const res = await app.inject({ method: 'POST', url: '/v1/batches', headers: { 'content-type': 'application/json' }, payload })
      assert.equal(res.statusCode, 401)
    })

    it('413 BODY_TOO_LARGE over the publish body limit', async () => {
      const payload = ' '.repeat(PUBLISH_BODY_LIMIT + 1)
      const res = await app.inject({ method: 'POST', url: '/v1/batches', headers: { ...AUTH, 'content-type': 'application/json' }, payload })
      assert.equal(res.statusCode, 413)
      assert.equal(errorCode(res), 'BODY_TOO_LARGE')
    })

    for (const [name, payload] of [
      ['no entries', { entries: [] }],
      ['too many entries', { entries: Array.from({ length: 10_001 }, () => ({ type: 'md5', value: LISTED_MD5 })) }],
      ['a label with the separator', { entries: [{ type: 'md5', value: LISTED_MD5, labels: ['a;b'] }] }],
      ['a label with a space', { entries: [{ type: 'md5', value: LISTED_MD5, labels: ['a b'] }] }],
      ['too many labels', { entries: [{ type: 'md5', value: LISTED_MD5, labels: Array.from({ length: 17 }, (_, i) => `l${i}`) }] }],
      ['an unknown action', { entries: [{ type: 'md5', value: LISTED_MD5, action: 'delete' }] }],
      ['an action in another case', { entries: [{ type: 'md5', value: LISTED_MD5, action: 'Confirm' }] }],
      ['a reason that is not a code', { entries: [{ type: 'md5', value: LISTED_MD5, action: 'dispute', reason: 'Not OK' }] }],
      ['a reason too long', { entries: [{ type: 'md5', value: LISTED_MD5, action: 'dispute', reason: 'x'.repeat(33) }] }],
      ['a misspelt field', { entries: [{ type: 'md5', valeu: LISTED_MD5 }] }]
    ] as const) {
      it(`400 INVALID_REQUEST for ${name}`, async () => {
        const res = await app.inject({ method: 'POST', url: '/v1/batches', headers: AUTH, payload })
        assert.equal(res.statusCode, 400)
        assert.equal(errorCode(res), 'INVALID_REQUEST')
        assert.equal(await ownSeq(), 1)
      })
    }

    it('201 for opinions with and without a reason; the node gets them as sent', async () => {
      const opinions = [
        { type: 'md5', value: LISTED_MD5, action: 'confirm', reason: 'verified' },
        { type: 'md5', value: LISTED_MD5, action: 'false_positive', reason: 'not_violating', labels: [] },
        { type: 'sha256', value: SHA256, action: 'dispute' },
        { type: 'sha256', value: SHA256, action: 'withdraw' }
      ]
      const res = await app.inject({ method: 'POST', url: '/v1/batches', headers: AUTH, payload: { entries: opinions } })
      assert.equal(res.statusCode, 201)
      const opined = async (type: string, value: string): Promise<unknown[]> =>
        (await live.node.lookup(type, value)).matches.filter(m => m.seq === 2).map(m => [m.action, m.reason])
      assert.deepEqual(await opined('md5', LISTED_MD5), [['confirm', 'verified'], ['false_positive', 'not_violating']])
      assert.deepEqual(await opined('sha256', SHA256), [['dispute', undefined], ['withdraw', undefined]])
    })

    for (const [name, entry, code] of [
      ['an opinion with labels', { type: 'md5', value: LISTED_MD5, action: 'confirm', labels: ['csam'] }, 'OPINION_WITH_LABELS'],
      ['a reason on an add', { type: 'md5', value: LISTED_MD5, reason: 'verified' }, 'BAD_REASON']
    ] as const) {
      it(`400 ${code} for ${name}`, async () => {
        const res = await app.inject({ method: 'POST', url: '/v1/batches', headers: AUTH, payload: { entries: [{ type: 'md5', value: LISTED_MD5 }, entry] } })
        assert.equal(res.statusCode, 400)
        assert.equal(errorCode(res), code)
        assert.match(res.json<ErrorBody>().error.message, /^entries\[1\]: /)
      })
    }

    it('400 with the node\'s code for a bad value', async () => {
      const res = await app.inject({ method: 'POST', url: '/v1/batches', headers: AUTH, payload: { entries: [{ type: 'md5', value: 'abc' }] } })
      assert.equal(res.statusCode, 400)
      assert.equal(errorCode(res), 'BAD_SIGNAL_VALUE')
    })

    for (const [error, status, code] of [
      [new WireError('OVERSIZED', 'batch body is 1048577 bytes, at most 1048576'), 413, 'OVERSIZED'],
      [new WireError('BAD_LABEL', 'entry 0: bad label'), 400, 'BAD_LABEL'],
      [new PublishError('TOO_MANY_ENTRIES', 'too many'), 400, 'TOO_MANY_ENTRIES'],
      [new PublishError('NOT_STORED', 'own batch was not stored: INTERNAL'), 500, 'NOT_STORED']
    ] as const) {
      it(`maps ${error.name} ${code} to ${status}`, async () => {
        await serveThrowing(error)
        const res = await app.inject({ method: 'POST', url: '/v1/batches', headers: AUTH, payload: { entries } })
        assert.equal(res.statusCode, status)
        assert.equal(errorCode(res), code)
      })
    }

    it('403 NOT_ADMITTED with the ingest refusal underneath as its reason', async () => {
      const outsider = await LiveNode.start({ forumRoots: [new Root().hex] })
      const forum = testServer(outsider.node, { adminToken: TOKEN })
      try {
        const res = await forum.inject({ method: 'POST', url: '/v1/batches', headers: AUTH, payload: { entries } })
        assert.equal(res.statusCode, 403)
        const { error } = res.json<{ error: ErrorBody['error'] & { reason: string } }>()
        assert.deepEqual(Object.keys(error), ['code', 'message', 'reason'])
        assert.deepEqual([error.code, error.reason], ['NOT_ADMITTED', 'UNTRUSTED_PUBLISHER'])
      } finally {
        await forum.close()
        await outsider.stop()
      }
    })

    it('500 INTERNAL with a generic message for an unexpected error', async () => {
      await serveThrowing(new Error('leveldb exploded at /secret/path'))
      const res = await app.inject({ method: 'POST', url: '/v1/batches', headers: AUTH, payload: { entries } })
      assert.equal(res.statusCode, 500)
      assert.deepEqual(res.json(), { error: { code: 'INTERNAL', message: 'internal error' } })
    })
  })

  describe('equivocations', () => {
    const decisionUrl = (publisher: string): string => `/v1/equivocations/${publisher}/decision`
    const FORKED = toHex(publicKeyOf(FORKER))

    it('GET /v1/equivocations answers an empty list when there are none', async () => {
      const res = await app.inject({ method: 'GET', url: '/v1/equivocations' })
      assert.deepEqual(res.json(), { equivocations: [] })
    })

    it('404 NO_SUCH_EQUIVOCATION for a publisher with none recorded', async () => {
      const res = await app.inject({ method: 'POST', url: decisionUrl('00'.repeat(32)), headers: AUTH, payload: { decision: 'block' } })
      assert.equal(res.statusCode, 404)
      assert.equal(errorCode(res), 'NO_SUCH_EQUIVOCATION')
    })

    it('400 BAD_PUBLISHER_KEY for a key that is not 64 hex characters', async () => {
      for (const publisher of ['abc', 'zz'.repeat(32), FORKED.slice(2), `${FORKED}00`]) {
        const res = await app.inject({ method: 'POST', url: decisionUrl(publisher), headers: AUTH, payload: { decision: 'block' } })
        assert.equal(res.statusCode, 400, publisher)
        assert.equal(errorCode(res), 'BAD_PUBLISHER_KEY')
      }
    })

    it('400 INVALID_REQUEST for a key beyond the schema bound', async () => {
      const res = await app.inject({ method: 'POST', url: decisionUrl('a'.repeat(MAX_PUBLISHER_CHARS + 1)), headers: AUTH, payload: { decision: 'block' } })
      assert.equal(res.statusCode, 400)
      assert.equal(errorCode(res), 'INVALID_REQUEST')
    })

    describe('of a publisher the node caught signing two batches for one seq', () => {
      let forked: EquivocationInfo

      async function decision (): Promise<string | undefined> {
        return (await live.node.equivocations()).find(e => e.publisher === FORKED)?.decision
      }

      beforeEach(async () => { forked = await live.fork(FORKER, randomEntries(1)) })

      it('GET /v1/equivocations lists them, without a token', async () => {
        const res = await app.inject({ method: 'GET', url: '/v1/equivocations' })
        assert.equal(res.statusCode, 200)
        assert.deepEqual(res.json(), { equivocations: [forked] })
        assert.equal(forked.decision, 'undecided')
      })

      it('401 for a decision without the admin token, even with a bad body; nothing decided', async () => {
        const attempts = [[{}, { decision: 'block' }], [{ authorization: 'Bearer wrong' }, { decision: 'block' }], [{}, { decision: 'nonsense' }]] as const
        for (const [headers, payload] of attempts) {
          const res = await app.inject({ method: 'POST', url: decisionUrl(FORKED), headers, payload })
          assert.equal(res.statusCode, 401, JSON.stringify([headers, payload]))
          assert.equal(errorCode(res), 'UNAUTHORIZED')
        }
        assert.equal(await decision(), 'undecided')
      })

      for (const choice of ['follow-stored', 'block'] as const) {
        it(`200 and the updated equivocation for ${choice}; the list shows it`, async () => {
          const res = await app.inject({ method: 'POST', url: decisionUrl(FORKED), headers: AUTH, payload: { decision: choice } })
          assert.equal(res.statusCode, 200)
          assert.deepEqual(res.json(), { ...forked, decision: choice })
          const list = await app.inject({ method: 'GET', url: '/v1/equivocations' })
          assert.equal(list.json<{ equivocations: EquivocationInfo[] }>().equivocations[0]?.decision, choice)
        })
      }

      for (const [name, payload] of [
        ['an unknown decision', { decision: 'ignore' }],
        ['"undecided", which is a state and not a decision', { decision: 'undecided' }],
        ['a decision in another case', { decision: 'Block' }],
        ['a number for the decision', { decision: 1 }],
        ['no decision', {}],
        ['an extra property', { decision: 'block', publisher: FORKED }],
        ['a list', [{ decision: 'block' }]]
      ] as const) {
        it(`400 INVALID_REQUEST for ${name}; nothing decided`, async () => {
          const res = await app.inject({ method: 'POST', url: decisionUrl(FORKED), headers: AUTH, payload })
          assert.equal(res.statusCode, 400)
          assert.equal(errorCode(res), 'INVALID_REQUEST')
          assert.equal(await decision(), 'undecided')
        })
      }

      it('400 INVALID_REQUEST without a body', async () => {
        const res = await app.inject({ method: 'POST', url: decisionUrl(FORKED), headers: AUTH })
        assert.equal(res.statusCode, 400)
        assert.equal(errorCode(res), 'INVALID_REQUEST')
      })
    })
  })

  describe('status, metrics, health', () => {
    it('GET /v1/status passes the node status through', async () => {
      const res = await app.inject({ method: 'GET', url: '/v1/status' })
      assert.equal(res.statusCode, 200)
      // Uptime is whole seconds: the two answers may straddle one.
      const { uptimeSeconds, ...status } = res.json<NodeStatus>()
      const { uptimeSeconds: nodeUptime, ...nodeStatus } = await live.node.status()
      assert.deepEqual(status, nodeStatus)
      assert.ok(Math.abs(uptimeSeconds - nodeUptime) <= 1)
    })

    it('GET /metrics serves the given registry as Prometheus text', async () => {
      new Counter({ name: 'hashmesh_test_total', help: 'test counter', registers: [registry] }).inc(3)
      const res = await app.inject({ method: 'GET', url: '/metrics' })
      assert.equal(res.statusCode, 200)
      assert.match(String(res.headers['content-type']), /^text\/plain/)
      assert.match(res.body, /^hashmesh_test_total 3$/m)
    })

    it('GET /healthz is 200', async () => {
      const res = await app.inject({ method: 'GET', url: '/healthz' })
      assert.equal(res.statusCode, 200)
    })

    it('404 NOT_FOUND in the common error shape', async () => {
      const res = await app.inject({ method: 'GET', url: '/v2/nothing' })
      assert.equal(res.statusCode, 404)
      assert.equal(errorCode(res), 'NOT_FOUND')
    })
  })

  describe('read auth (http.openReads off)', () => {
    let closed: FastifyInstance
    const READ = { authorization: `Bearer ${TEST_READ_TOKEN}` }

    beforeEach(async () => {
      closed = testServer(live.node, { adminToken: TOKEN, openReads: false, maxUploadBytes: UPLOAD_LIMIT })
      await closed.ready()
    })
    afterEach(async () => { await closed.close() })

    it('lookups and match need the read or the admin token', async () => {
      const requests = [
        { method: 'GET', url: `/v1/lookup/md5/${LISTED_MD5}` },
        { method: 'POST', url: '/v1/lookup', payload: { queries: [{ type: 'md5', value: LISTED_MD5 }] } },
        { method: 'POST', url: '/v1/match', headers: { 'content-type': 'application/octet-stream' }, payload: Buffer.from('x') }
      ] as const
      for (const r of requests) {
        const refused = await closed.inject({ ...r, headers: { ...('headers' in r ? r.headers : {}) } })
        assert.equal(refused.statusCode, 401, r.url)
        assert.equal(errorCode(refused), 'UNAUTHORIZED')
        for (const auth of [READ, AUTH]) {
          const res = await closed.inject({ ...r, headers: { ...('headers' in r ? r.headers : {}), ...auth } })
          assert.equal(res.statusCode, 200, r.url)
        }
      }
    })

    it('refuses an unauthenticated upload before reading it', async () => {
      const res = await closed.inject({ method: 'POST', url: '/v1/match', headers: { 'content-type': 'image/png' }, payload: Buffer.alloc(UPLOAD_LIMIT + 1) })
      assert.equal(res.statusCode, 401)
      assert.equal(await live.uploadsAnswered(), 0)
    })

    it('the read token does not publish', async () => {
      const res = await closed.inject({ method: 'POST', url: '/v1/batches', headers: READ, payload: { entries: [{ type: 'md5', value: LISTED_MD5 }] } })
      assert.equal(res.statusCode, 401)
      assert.equal(await ownSeq(), 1)
    })
  })
})
