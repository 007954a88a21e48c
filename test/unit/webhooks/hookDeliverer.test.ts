import assert from 'node:assert/strict'
import { createHmac, randomBytes } from 'node:crypto'
import { newEvent, type HashmeshEvent } from '../../../src/events/hashmeshEvent.js'
import { HookError } from '../../../src/events/hookError.js'
import { hooksNodeApi } from '../../../src/node/hooksApi.js'
import { waitFor } from '../../helpers/waitFor.js'
import { HookRig } from './hookFixtures.js'

const SECRET = 'a-secret-of-thirty-two-characters'

function revocation (nowMs: number): HashmeshEvent<'revocation'> {
  const data = { member: randomBytes(32).toString('hex'), recordId: randomBytes(32).toString('hex'), effectiveAt: new Date(nowMs).toISOString() }
  return newEvent('revocation', data, nowMs)
}

/** Emits in an atomic write, as a state change does, and wakes delivery after it. */
async function emit (rig: HookRig, events: HashmeshEvent[]): Promise<void> {
  await rig.store.writeAtomically(async () => await rig.outbox.opsFor(events))
  rig.outbox.committed()
}

/** The receiver's side, with node:crypto only: t=<unix>,v1=<hex HMAC-SHA256(secret, t + "." + body)>. */
function verifySignature (header: string, body: string, secret: string): number {
  const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header)
  assert.ok(m, `signature header ${header}`)
  const expected = createHmac('sha256', secret).update(`${m[1]}.${body}`).digest('hex')
  assert.equal(m[2], expected)
  return Number(m[1])
}

async function metric (rig: HookRig, name: string): Promise<number> {
  const found = (await rig.registry.getMetricsAsJSON()).find(m => m.name === name)
  return (found?.values as Array<{ value: number }> | undefined)?.reduce((n, v) => n + v.value, 0) ?? 0
}

describe('webhooks: delivery', function () {
  let rig: HookRig

  beforeEach(async function () { rig = await new HookRig().setup({ retryBaseMs: 1000, retryCapMs: 60_000, maxRetryMs: 3_600_000 }) })
  afterEach(async function () { await rig.teardown() })

  it('POSTs the event JSON signed with the secret, with its id and type in headers, and deletes the row on a 2xx', async function () {
    await rig.hooks.add({ url: 'http://127.0.0.1:9/hook', events: ['revocation'], secret: SECRET }, 'tester')
    const event = revocation(rig.now)
    await emit(rig, [event])
    assert.deepEqual(rig.outbox.rowCounts(), { outbox: 1, dead: 0 })
    await rig.deliverer.drain()
    assert.equal(rig.received.length, 1)
    const [got] = rig.received
    assert.deepEqual(JSON.parse(got!.body), event)
    assert.equal(got!.headers['content-type'], 'application/json')
    assert.equal(got!.headers['x-hashmesh-event-id'], event.id)
    assert.equal(got!.headers['x-hashmesh-event-type'], 'revocation')
    assert.equal(verifySignature(got!.headers['x-hashmesh-signature']!, got!.body, SECRET), Math.floor(rig.now / 1000))
    assert.deepEqual(rig.outbox.rowCounts(), { outbox: 0, dead: 0 })
    assert.equal(await metric(rig, 'hashmesh_events_emitted_total'), 1)
    assert.equal(await metric(rig, 'hashmesh_hook_deliveries_delivered_total'), 1)
  })

  it('writes nothing for an event no hook subscribes to, and one row per subscribed hook otherwise', async function () {
    await rig.hooks.add({ url: 'http://a.example/', events: ['match'], secret: SECRET }, 'tester')
    await emit(rig, [revocation(rig.now)])
    assert.deepEqual(rig.outbox.rowCounts(), { outbox: 0, dead: 0 })
    await rig.hooks.add({ url: 'http://b.example/', events: ['revocation', 'match'], secret: SECRET }, 'tester')
    await rig.hooks.add({ url: 'http://c.example/', events: ['revocation'], secret: SECRET }, 'tester')
    await emit(rig, [revocation(rig.now)])
    assert.deepEqual(rig.outbox.rowCounts(), { outbox: 2, dead: 0 })
    await rig.deliverer.drain()
    assert.deepEqual(rig.received.map(r => r.url).sort(), ['http://b.example/', 'http://c.example/'])
  })

  it('retries a failing receiver with exponential backoff and full jitter, the same id each time, and delivers once it answers', async function () {
    await rig.hooks.add({ url: 'http://r.example/', events: ['revocation'], secret: SECRET }, 'tester')
    const event = revocation(rig.now)
    await emit(rig, [event])
    rig.mode = 500
    rig.random = () => 0.999
    const waits: number[] = []
    for (let attempt = 1; attempt <= 5; attempt++) {
      const before = rig.now
      await rig.deliverer.drain()
      const [row] = await rig.outbox.rowsOf(rig.hooks.list()[0]!, 1)
      assert.equal(row!.delivery.attempts, attempt)
      assert.equal(row!.delivery.lastError, 'HTTP 500')
      waits.push(row!.key.dueMs - before)
      rig.now = row!.key.dueMs
    }
    // Full jitter with random→1: just under base·2^(n-1).
    assert.deepEqual(waits, [999, 1998, 3996, 7992, 15984])
    rig.mode = 200
    await rig.deliverer.drain()
    assert.equal(rig.received.length, 6)
    assert.ok(rig.received.every(r => r.headers['x-hashmesh-event-id'] === event.id && r.body === rig.received[0]!.body))
    assert.deepEqual(rig.outbox.rowCounts(), { outbox: 0, dead: 0 })
    assert.equal(await metric(rig, 'hashmesh_hook_deliveries_retried_total'), 5)
  })

  it('moves a delivery failing past maxRetryMs since its first attempt to the dead letters; a replay delivers it with the same id', async function () {
    const hook = await rig.hooks.add({ url: 'http://r.example/', events: ['revocation'], secret: SECRET }, 'tester')
    const event = revocation(rig.now)
    await emit(rig, [event])
    rig.mode = 'down'
    const first = rig.now
    while (rig.outbox.rowCounts().outbox > 0) {
      await rig.deliverer.drain()
      const [row] = await rig.outbox.rowsOf(hook, 1)
      if (row !== undefined) rig.now = Math.max(row.key.dueMs, rig.now + 1)
    }
    assert.ok(rig.now - first >= 3_600_000, 'not before the retry window ended')
    const api = hooksNodeApi(rig)
    const { dead } = await api.hooksDead({})
    assert.equal(dead.length, 1)
    assert.equal(dead[0]!.eventId, event.id)
    assert.equal(dead[0]!.hookId, hook.idText)
    assert.match(dead[0]!.lastError, /^network: ECONNREFUSED/)
    assert.deepEqual(dead[0]!.event, event)
    assert.equal(await metric(rig, 'hashmesh_hook_deliveries_dead_total'), 1)

    rig.mode = 200
    await assert.rejects(api.hooksReplay(`evt_${'0'.repeat(32)}`, 'tester'), (e: unknown) => e instanceof HookError && e.code === 'NO_SUCH_DEAD_EVENT')
    assert.deepEqual(await api.hooksReplay(event.id, 'tester'), { replayed: 1, discarded: 0 })
    await rig.deliverer.drain()
    assert.equal(rig.received.at(-1)?.headers['x-hashmesh-event-id'], event.id)
    assert.deepEqual(rig.outbox.rowCounts(), { outbox: 0, dead: 0 })
    assert.ok((await rig.audit.recordsOf('hooks.replay')).length === 1, 'the replay is audited')
  })

  it('keeps at most `concurrency` attempts in flight per hook', async function () {
    await rig.teardown()
    rig = await new HookRig().setup({ concurrency: 3 })
    await rig.hooks.add({ url: 'http://r.example/', events: ['revocation'], secret: SECRET }, 'tester')
    await emit(rig, Array.from({ length: 10 }, () => revocation(rig.now)))
    rig.mode = 'hang'
    assert.equal(await rig.deliverer.deliverDue(), 3)
    assert.equal(await rig.deliverer.deliverDue(), 0)
    await waitFor('three requests at the receiver', async () => rig.received.length === 3)
    assert.equal(await rig.deliverer.deliverDue(), 0)
    assert.equal(rig.received.length, 3)
  })

  it('removing a hook drops its pending deliveries', async function () {
    const api = hooksNodeApi(rig)
    const kept = await api.hookAdd({ url: 'http://kept.example/', events: ['revocation'], secret: SECRET }, 'tester')
    const gone = await api.hookAdd({ url: 'http://gone.example/', events: ['revocation'], secret: SECRET }, 'tester')
    await emit(rig, [revocation(rig.now), revocation(rig.now)])
    assert.deepEqual((await api.hooks()).map(h => h.pending), [2, 2])
    await api.hookRemove(gone.id, 'tester')
    assert.deepEqual((await api.hooks()).map(h => [h.id, h.pending]), [[kept.id, 2]])
    assert.deepEqual(rig.outbox.rowCounts(), { outbox: 2, dead: 0 })
    await assert.rejects(api.hookRemove(gone.id, 'tester'), (e: unknown) => e instanceof HookError && e.code === 'NO_SUCH_HOOK')
  })

  it('a dead letter of a hook since removed is discarded by a replay, not sent', async function () {
    const api = hooksNodeApi(rig)
    await api.hookAdd({ url: 'http://kept.example/', events: ['revocation'], secret: SECRET }, 'tester')
    const gone = await api.hookAdd({ url: 'http://gone.example/', events: ['revocation'], secret: SECRET }, 'tester')
    await emit(rig, [revocation(rig.now)])
    rig.mode = 500
    await rig.deliverer.drain()
    rig.now += 2 * 3_600_000
    await rig.deliverer.drain()
    assert.deepEqual(rig.outbox.rowCounts(), { outbox: 0, dead: 2 })
    await api.hookRemove(gone.id, 'tester')
    rig.mode = 200
    rig.received = []
    assert.deepEqual(await api.hooksReplay('all', 'tester'), { replayed: 1, discarded: 1 })
    await rig.deliverer.drain()
    assert.deepEqual(rig.received.map(r => r.url), ['http://kept.example/'])
    assert.deepEqual(rig.outbox.rowCounts(), { outbox: 0, dead: 0 })
  })

  it('sends an event straight to the dead letters when the outbox is full, so ingest never fails for it', async function () {
    await rig.teardown()
    rig = await new HookRig().setup({ maxOutboxRows: 2, maxDeadRows: 1 })
    await rig.hooks.add({ url: 'http://r.example/', events: ['revocation'], secret: SECRET }, 'tester')
    await emit(rig, [revocation(rig.now), revocation(rig.now), revocation(rig.now), revocation(rig.now)])
    assert.deepEqual(rig.outbox.rowCounts(), { outbox: 2, dead: 1 })
    assert.equal(await metric(rig, 'hashmesh_events_dropped_total'), 1)
    assert.ok(rig.logs.some(l => l.includes('hook outbox full')))
  })

  it('never shows the secret: not in any API answer, the audit log, the store, or a log line', async function () {
    const secret = `s3cr3t-${randomBytes(16).toString('hex')}`
    const api = hooksNodeApi(rig)
    const added = await api.hookAdd({ url: 'http://r.example/', events: ['revocation'], secret }, 'tester')
    await emit(rig, [revocation(rig.now)])
    rig.mode = 500
    await rig.deliverer.drain()
    rig.now += 10 * 3_600_000
    await rig.deliverer.drain()
    const answers = JSON.stringify([added, await api.hooks(), await api.hooksDead({}), await rig.audit.recordsOf('hooks.add')])
    assert.ok(!answers.includes(secret))
    assert.ok(rig.logs.length > 0 && rig.logs.every(l => !l.includes(secret)))
    const raw: string[] = []
    for await (const [k, v] of rig.store.repositories.hook.entries()) raw.push(Buffer.from(k).toString('latin1'), JSON.stringify(v))
    assert.ok(raw.length > 0 && raw.every(r => !r.includes(secret)))
    await api.hookRemove(added.id, 'tester')
  })
})
