import assert from 'node:assert/strict'
import fc from 'fast-check'
import { type EventType, type HashmeshEvent, newEvent } from '../../../src/events/hashmeshEvent.js'
import { HookRig, type ReceiverMode } from '../webhooks/hookFixtures.js'

const SECRET = 'property-test-secret-0123456789'
const HOOK_A = { url: 'http://a.example/', events: ['revocation', 'match'] }
const HOOK_B = { url: 'http://b.example/', events: ['revocation', 'equivocation'] }
const TYPES: EventType[] = ['match', 'revocation', 'equivocation', 'appeal']
const RETRY_CAP_MS = 8_000

type Step =
  | { kind: 'emit', types: EventType[], abort: boolean }
  | { kind: 'receiver', mode: ReceiverMode }
  | { kind: 'deliver' }
  | { kind: 'advance', ms: number }
  | { kind: 'crash' }

const emitStep = fc.record({
  kind: fc.constant('emit' as const),
  types: fc.array(fc.constantFrom(...TYPES), { minLength: 1, maxLength: 3 }),
  abort: fc.boolean()
})
const receiverStep = fc.record({ kind: fc.constant('receiver' as const), mode: fc.constantFrom<ReceiverMode>(200, 204, 500, 302, 'hang', 'hang', 'down') })

const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 3, arbitrary: emitStep },
  { weight: 2, arbitrary: receiverStep },
  { weight: 3, arbitrary: fc.constant({ kind: 'deliver' as const }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 10_000 }) }) },
  { weight: 2, arbitrary: fc.constant({ kind: 'crash' as const }) }
)

/** Whether the interesting paths were taken at least once over all runs. */
const seen = { crashWithInFlight: 0, retried: 0, aborted: 0, duplicates: 0, failedWithRows: 0 }

function event (type: EventType, nowMs: number): HashmeshEvent {
  // The outbox carries any event as JSON; the data's shape is the emitting part's business.
  return newEvent(type as 'revocation', { member: 'm', recordId: 'r', effectiveAt: new Date(nowMs).toISOString() }, nowMs)
}

async function run (rig: HookRig, steps: Step[], committed: Map<string, string>): Promise<void> {
  let inFlight = false
  for (const s of steps) {
    switch (s.kind) {
      case 'emit': {
        const events = s.types.map(t => event(t, rig.now))
        const write = rig.store.writeAtomically(async () => {
          const ops = await rig.outbox.opsFor(events)
          if (s.abort) throw new Error('the state change failed')
          return ops
        })
        if (s.abort) {
          await assert.rejects(write)
          seen.aborted++
        } else {
          await write
          rig.outbox.committed()
          for (const e of events) committed.set(e.id, e.type)
        }
        break
      }
      case 'receiver': rig.mode = s.mode; inFlight = false; break
      case 'deliver':
        if (rig.mode === 'hang') inFlight = (await rig.deliverer.deliverDue()) > 0 || inFlight
        else {
          if (rig.mode !== 200 && rig.mode !== 204 && rig.outbox.rowCounts().outbox > 0) seen.failedWithRows++
          await rig.deliverer.drain()
        }
        break
      case 'advance': rig.now += s.ms; break
      case 'crash':
        if (inFlight) seen.crashWithInFlight++
        inFlight = false
        await rig.crashAndRestart()
        break
    }
  }
}

/** Receiver up, clock moved past every backoff: everything left must go out. */
async function settle (rig: HookRig): Promise<void> {
  rig.mode = 200
  for (let round = 0; round < 20 && rig.outbox.rowCounts().outbox > 0; round++) {
    await rig.deliverer.drain()
    rig.now += RETRY_CAP_MS
  }
  await rig.deliverer.drain()
}

function check (rig: HookRig, committed: Map<string, string>): void {
  assert.deepEqual(rig.outbox.rowCounts(), { outbox: 0, dead: 0 })
  const bodies = new Map<string, string>()
  const got = new Set<string>()
  for (const r of rig.received) {
    const id = r.headers['x-hashmesh-event-id']!
    assert.ok(committed.has(id), `an event that was never committed was delivered: ${id}`)
    assert.equal((JSON.parse(r.body) as { id: string }).id, id)
    assert.equal(bodies.get(id) ?? r.body, r.body, 'every delivery of one event carries the same body')
    bodies.set(id, r.body)
    const pair = `${r.url} ${id}`
    if (got.has(pair)) seen.duplicates++
    got.add(pair)
  }
  for (const [id, type] of committed) {
    for (const hook of [HOOK_A, HOOK_B]) {
      assert.equal(got.has(`${hook.url} ${id}`), hook.events.includes(type), `${type} ${id} to ${hook.url}`)
    }
  }
  if (rig.received.length > got.size) seen.retried++
}

describe('events: outbox (property)', function () {
  this.timeout(120_000)

  it('any interleaving of state changes, crashes, receiver failures and deliveries ends with every committed event delivered at least once, ' +
    'with one id, and none invented', async function () {
    await fc.assert(fc.asyncProperty(fc.array(step, { minLength: 5, maxLength: 60, size: 'large' }), async steps => {
      const rig = await new HookRig().setup({ retryBaseMs: 500, retryCapMs: RETRY_CAP_MS, maxRetryMs: 10 ** 12, concurrency: 2 })
      try {
        for (const hook of [HOOK_A, HOOK_B]) await rig.hooks.add({ ...hook, secret: SECRET }, 'tester')
        const committed = new Map<string, string>()
        await run(rig, steps, committed)
        await settle(rig)
        check(rig, committed)
      } finally {
        await rig.teardown()
      }
    }), { numRuns: 40, seed: 20_261_202 })
    assert.ok(seen.crashWithInFlight > 0, 'some crash cut off a delivery in flight')
    assert.ok(seen.aborted > 0, 'some state change failed after its events were built')
    assert.ok(seen.duplicates > 0, 'some event was delivered twice (at least once, same id)')
    assert.ok(seen.retried > 0, 'some delivery was retried')
    assert.ok(seen.failedWithRows > 0, 'some deliveries were tried while the receiver failed')
    this.test!.title += ` (${JSON.stringify(seen)})`
  })
})
