import assert from 'node:assert/strict'
import { Writable } from 'node:stream'
import { pino } from 'pino'
import { Counter, Registry } from 'prom-client'
import type { Logger } from '../../../src/logger.js'
import { BatchValidationError } from '../../../src/ingest/validationError.js'
import { type Outcome, ValidationReport } from '../../../src/ingest/validationReport.js'
import { type BatchSource, formatBatchSource, gossipSource, syncSource } from '../../../src/wire/batchSource.js'
import { WireError } from '../../../src/wire/errors.js'

function capturingLogger (): { logger: Logger, lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = []
  const sink = new Writable({ write (chunk: Buffer, _enc, done) { lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>); done() } })
  return { logger: pino({ level: 'debug' }, sink), lines }
}

const fields = (line: Record<string, unknown> | undefined): unknown[] => [line?.level, line?.msg, line?.source, line?.action, line?.code]

describe('ValidationReport: the one wrapper of every validation outcome', function () {
  let registry: Registry
  let metric: Counter<'action' | 'code'>
  let lines: Array<Record<string, unknown>>
  let accepted: string[]
  let report: ValidationReport<Outcome>

  beforeEach(function () {
    registry = new Registry()
    metric = new Counter({ name: 'test_validation_total', help: 'test', labelNames: ['action', 'code'] as const, registers: [registry] })
    const captured = capturingLogger()
    lines = captured.lines
    accepted = []
    const logAccepted = (outcome: Outcome, source: BatchSource): void => { accepted.push(`${outcome.code} from ${formatBatchSource(source)}`) }
    report = new ValidationReport('thing', { logger: captured.logger, metric, logAccepted })
  })

  async function metered (action: string, code: string): Promise<number> {
    const { values } = await metric.get()
    return values.find(v => v.labels.action === action && v.labels.code === code)?.value ?? 0
  }

  it('passes an accepted outcome through, counts and meters it, and logs it with the caller\'s line', async function () {
    const result = await report.run(gossipSource('peer'), async () => ({ action: 'accept', code: 'ACCEPTED' }))
    assert.deepEqual(result, { outcome: { action: 'accept', code: 'ACCEPTED' } })
    assert.deepEqual(report.outcomeCounts(), { accept: { ACCEPTED: 1 }, ignore: {}, reject: {} })
    assert.equal(await metered('accept', 'ACCEPTED'), 1)
    assert.deepEqual(accepted, ['ACCEPTED from gossip:peer'])
  })

  it('turns a typed refusal into its action and code, hands back the error, and logs it at debug', async function () {
    const refusal = new BatchValidationError('reject', 'BAD_SIGNATURE', 'no')
    const result = await report.run(syncSource('peer'), async () => { throw refusal })
    assert.deepEqual(result.outcome, { action: 'reject', code: 'BAD_SIGNATURE' })
    assert.equal(result.error, refusal)
    assert.equal(await metered('reject', 'BAD_SIGNATURE'), 1)
    assert.deepEqual(fields(lines.at(-1)), [20, 'thing not stored', 'sync:peer', 'reject', 'BAD_SIGNATURE'])
    assert.deepEqual(accepted, [])
  })

  it('takes a WireError\'s action from its code: an unknown signal type is ignored, garbage rejected', async function () {
    const unknown = await report.run(gossipSource('p'), async () => { throw new WireError('UNKNOWN_SIGNAL_TYPE', 'newer peer') })
    const garbage = await report.run(gossipSource('p'), async () => { throw new WireError('MALFORMED', 'not protobuf') })
    assert.deepEqual([unknown.outcome, garbage.outcome], [{ action: 'ignore', code: 'UNKNOWN_SIGNAL_TYPE' }, { action: 'reject', code: 'MALFORMED' }])
  })

  it('counts anything else thrown as this node\'s own failure: INTERNAL, ignored, logged as an error', async function () {
    const failure = new Error('disk gone')
    const result = await report.run(gossipSource('peer'), async () => { throw failure })
    assert.deepEqual(result, { outcome: { action: 'ignore', code: 'INTERNAL' }, error: failure })
    assert.equal(await metered('ignore', 'INTERNAL'), 1)
    const error = lines.find(l => l.level === 50)
    const logged = [error?.msg, error?.source, (error?.err as { message?: string } | undefined)?.message]
    assert.deepEqual(logged, ['thing ingest failed', 'gossip:peer', 'disk gone'])
  })

  it('records an outcome reached outside run, and its counts are a copy', async function () {
    report.record({ action: 'accept', code: 'LINKED' }, gossipSource('peer'))
    report.record({ action: 'ignore', code: 'DUPLICATE' }, gossipSource('peer'))
    const counts = report.outcomeCounts()
    counts.accept.LINKED = 99
    assert.deepEqual(report.outcomeCounts(), { accept: { LINKED: 1 }, ignore: { DUPLICATE: 1 }, reject: {} })
    assert.equal(await metered('ignore', 'DUPLICATE'), 1)
  })
})
