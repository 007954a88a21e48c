import assert from 'node:assert/strict'
import { parse } from 'csv-parse/sync'
import { type FastifyInstance, fastify } from 'fastify'
import { toHttpError } from '../../../src/api/errorMapping.js'
import { ApiError } from '../../../src/api/apiError.js'
import { routeAuth } from '../../../src/api/routeAuth.js'
import { registerAuditRoutes } from '../../../src/api/routes/audit.js'
import type {
  AuditLogPage, AuditLogQuery, AuditNodeApi, ExportQuery, ExportRow, ProvenanceReport, TransparencyQuery, TransparencyReport, VerifyQuery, VerifyReport
} from '../../../src/node/auditApi.js'
import { parseSignalValue, toHex } from '../../../src/signals/hex.js'
import type { ErrorBody } from './errorBody.js'

const ADMIN = 'ad'.repeat(32)
const READ = 're'.repeat(32)
const MD5 = 'ab'.repeat(16)

function row (position: number): ExportRow {
  return {
    createdAt: '2024-01-02T00:00:00.000Z', receivedAt: '2024-01-02T00:00:01.000Z', publisher: 'cd'.repeat(32), organisation: 'Org, "A"', standing: 'member',
    seq: 1, batchId: 'ef'.repeat(32), position, type: 'md5', value: MD5, action: 'add', labels: ['csam', 'x'], reason: null
  }
}

const VERIFY_REPORT: VerifyReport = {
  ok: true,
  checked: {
    batches: 1, signatures: 1, entries: 1, indexRows: 1, publishers: 1, heads: 1, batchAt: 1, batchIds: 1,
    equivocations: 0, forumRecords: 0, allowlistEntries: 0, auditRecords: 0
  },
  problems: [],
  notices: [],
  problemsOmitted: 0,
  auditHead: { seq: 0, hash: '00'.repeat(32) }
}

/** Answers from canned data and records what it was asked. */
class FakeAuditNode implements AuditNodeApi {
  readonly calls: unknown[] = []
  exportRows = 3
  /** Thrown by the export's first row (a damaged store), after the query was accepted. */
  exportFailure: Error | undefined

  async provenance (type: string, value: string): Promise<ProvenanceReport> {
    const parsed = parseSignalValue(type, value)
    return { type: parsed.type.name, value: toHex(parsed.value), events: [], truncated: false, verdict: { match: false, reasons: [], listed: false } }
  }

  async auditVerify (query?: VerifyQuery): Promise<VerifyReport> {
    this.calls.push({ verify: query })
    return VERIFY_REPORT
  }

  async auditLog (query: AuditLogQuery): Promise<AuditLogPage> {
    this.calls.push({ log: query })
    return { records: [], head: { seq: 0, hash: '00'.repeat(32) } }
  }

  exportEntries (query: ExportQuery): AsyncIterable<ExportRow> {
    this.calls.push({ export: query })
    if (query.since === '1999-01-01') throw new ApiError('INVALID_REQUEST', 'too early')
    const n = this.exportRows
    const failure = this.exportFailure
    return (async function * () {
      if (failure !== undefined) throw failure
      for (let i = 0; i < n; i++) yield row(i)
    })()
  }

  async transparency (query: TransparencyQuery): Promise<TransparencyReport> {
    this.calls.push({ transparency: query })
    return {
      period: query.period ?? 'month', since: null, until: null, generatedAt: '2024-01-01T00:00:00.000Z',
      batches: { scanned: 0, inRange: 0 }, entries: 0, publishers: 0, rows: [], totals: []
    }
  }
}

/** The server's own settings that matter here: strict validation and the one error mapping. */
function appFor (node: AuditNodeApi, openReads: boolean): FastifyInstance {
  const app = fastify({ ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: false } } })
  app.setErrorHandler(async (err, _request, reply) => {
    const { status, body } = toHttpError(err)
    return await reply.code(status).send(body)
  })
  registerAuditRoutes(app, node, routeAuth({ adminToken: ADMIN, readToken: READ, openReads }))
  return app
}

const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` })

describe('api: audit routes', () => {
  let node: FakeAuditNode
  let app: FastifyInstance

  beforeEach(async () => {
    node = new FakeAuditNode()
    app = appFor(node, false)
    await app.ready()
  })
  afterEach(async () => { await app.close() })

  describe('reads: provenance, transparency, export', () => {
    it('take the read or the admin token, or none when reads are open', async () => {
      for (const url of [`/v1/provenance/md5/${MD5}`, '/v1/transparency', '/v1/audit/export?since=2024-01-01&format=csv']) {
        assert.equal((await app.inject({ url })).statusCode, 401, url)
        assert.equal((await app.inject({ url, headers: bearer(READ) })).statusCode, 200, url)
        assert.equal((await app.inject({ url, headers: bearer(ADMIN) })).statusCode, 200, url)
      }
      const open = appFor(node, true)
      assert.equal((await open.inject({ url: `/v1/provenance/md5/${MD5}` })).statusCode, 200)
      await open.close()
    })

    it('provenance passes the hash on and maps a bad value to its code', async () => {
      const res = await app.inject({ url: `/v1/provenance/md5/${MD5.toUpperCase()}`, headers: bearer(READ) })
      assert.equal(res.json<{ value: string }>().value, MD5)
      const bad = await app.inject({ url: '/v1/provenance/md5/xyz', headers: bearer(READ) })
      assert.deepEqual([bad.statusCode, bad.json<ErrorBody>().error.code], [400, 'BAD_SIGNAL_VALUE'])
    })

    it('transparency takes since, until and period, and nothing else', async () => {
      const res = await app.inject({ url: '/v1/transparency?since=2024-01-01&until=2024-02-01T00:00:00Z&period=day', headers: bearer(READ) })
      assert.equal(res.statusCode, 200)
      assert.deepEqual(node.calls, [{ transparency: { since: '2024-01-01', until: '2024-02-01T00:00:00Z', period: 'day' } }])
      for (const q of ['period=week', 'since=01/02/2024', 'since=2024-01-01T10:00', 'other=1']) {
        const refused = await app.inject({ url: `/v1/transparency?${q}`, headers: bearer(READ) })
        assert.deepEqual([refused.statusCode, refused.json<ErrorBody>().error.code], [400, 'INVALID_REQUEST'], q)
      }
    })

    it('export streams CSV with its content type, header and quoting', async () => {
      node.exportRows = 5000
      const res = await app.inject({ url: `/v1/audit/export?since=2024-01-01&until=2024-02-01&publisher=${'CD'.repeat(32)}&format=csv`, headers: bearer(READ) })
      assert.equal(res.statusCode, 200)
      assert.match(String(res.headers['content-type']), /^text\/csv; charset=utf-8/)
      assert.match(String(res.headers['content-disposition']), /attachment; filename="hashmesh-export\.csv"/)
      const records = parse<Record<string, string>>(res.body, { columns: true })
      assert.equal(records.length, 5000)
      assert.deepEqual([records[0]!.organisation, records[0]!.labels, records[4999]!.position], ['Org, "A"', 'csam;x', '4999'])
      assert.deepEqual(node.calls, [{ export: { since: '2024-01-01', until: '2024-02-01', publisher: 'CD'.repeat(32) } }])
    })

    it('export streams JSON Lines', async () => {
      const res = await app.inject({ url: '/v1/audit/export?since=2024-01-01&format=jsonl', headers: bearer(READ) })
      assert.match(String(res.headers['content-type']), /^application\/x-ndjson/)
      assert.deepEqual(res.body.trimEnd().split('\n').map(l => JSON.parse(l) as unknown), [row(0), row(1), row(2)])
    })

    it('export defaults to everything, as CSV', async () => {
      const res = await app.inject({ url: '/v1/audit/export', headers: bearer(READ) })
      assert.equal(res.statusCode, 200)
      assert.match(String(res.headers['content-type']), /^text\/csv/)
      assert.deepEqual(node.calls.at(-1), { export: {} })
    })

    it('export refuses a malformed query before it starts', async () => {
      for (const q of ['since=2024-01-01&format=xml', 'since=2024-01-01&format=csv&publisher=abc', 'since=x&format=csv']) {
        const res = await app.inject({ url: `/v1/audit/export?${q}`, headers: bearer(READ) })
        assert.deepEqual([res.statusCode, res.json<ErrorBody>().error.code], [400, 'INVALID_REQUEST'], q)
      }
      const rejected = await app.inject({ url: '/v1/audit/export?since=1999-01-01&format=csv', headers: bearer(READ) })
      assert.equal(rejected.statusCode, 400)
    })

    it('export fails with an error status, not a cut-off 200, when the first rows cannot be read', async () => {
      node.exportFailure = new Error('injected: damaged batch')
      const res = await app.inject({ url: '/v1/audit/export?since=2024-01-01&format=csv', headers: bearer(READ) })
      assert.deepEqual([res.statusCode, res.json<ErrorBody>().error.code], [500, 'INTERNAL'])
    })
  })

  describe('admin: verify and the audit log', () => {
    it('need the admin token: the read token is not enough', async () => {
      for (const [method, url] of [['POST', '/v1/audit/verify'], ['GET', '/v1/audit/log']] as const) {
        assert.equal((await app.inject({ method, url, headers: bearer(READ) })).statusCode, 401, url)
        assert.equal((await app.inject({ method, url, headers: bearer(ADMIN) })).statusCode, 200, url)
      }
    })

    it('verify takes no body, or an expected head', async () => {
      assert.deepEqual((await app.inject({ method: 'POST', url: '/v1/audit/verify', headers: bearer(ADMIN) })).json(), VERIFY_REPORT)
      const head = 'AB'.repeat(32)
      assert.equal((await app.inject({ method: 'POST', url: '/v1/audit/verify', headers: bearer(ADMIN), payload: { expectHead: head } })).statusCode, 200)
      assert.deepEqual(node.calls, [{ verify: {} }, { verify: { expectHead: head } }])
      for (const payload of [{ expectHead: 'ab' }, { other: 1 }]) {
        const res = await app.inject({ method: 'POST', url: '/v1/audit/verify', headers: bearer(ADMIN), payload })
        assert.deepEqual([res.statusCode, res.json<ErrorBody>().error.code], [400, 'INVALID_REQUEST'])
      }
    })

    it('the log passes afterSeq and limit as numbers and refuses other text', async () => {
      await app.inject({ url: '/v1/audit/log?afterSeq=10&limit=50', headers: bearer(ADMIN) })
      await app.inject({ url: '/v1/audit/log', headers: bearer(ADMIN) })
      assert.deepEqual(node.calls, [{ log: { afterSeq: 10, limit: 50 } }, { log: {} }])
      for (const q of ['limit=-1', 'afterSeq=x', 'limit=1.5', 'seq=1']) {
        const res = await app.inject({ url: `/v1/audit/log?${q}`, headers: bearer(ADMIN) })
        assert.equal(res.statusCode, 400, q)
      }
    })
  })
})
