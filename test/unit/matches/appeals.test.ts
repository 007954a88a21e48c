import assert from 'node:assert/strict'
import type { EventRecorder } from '../../../src/events/eventRecorder.js'
import type { HashmeshEvent } from '../../../src/events/hashmeshEvent.js'
import { AppealService, type OpinionEntry, type OpinionPublisher, type WithPublish } from '../../../src/matches/appeals.js'
import { MatchLog } from '../../../src/matches/matchLog.js'
import { requireSignalType } from '../../../src/signals/registry.js'
import { AllowlistStore } from '../../../src/store/allowlist.js'
import { AuditLog } from '../../../src/store/auditLog.js'
import { Bucket } from '../../../src/store/buckets.js'
import type { HashStore, StoreOp } from '../../../src/store/hashStore.js'
import { TempStore, interceptWrite } from '../store/storeFixtures.js'
import { inputFor, sha256Of } from './matchFixtures.js'

const T0 = Date.UTC(2026, 2, 1)
const BATCH_ID = 'be'.repeat(32)

/**
 * Keeps the events of the last write it was asked for, and counts them written once told the write
 * committed: a write that fails is followed by another opsFor, never by committed.
 */
class RecordingEvents implements EventRecorder {
  readonly written: HashmeshEvent[] = []
  private pending: HashmeshEvent[] = []
  committedCalls = 0
  async opsFor (events: readonly HashmeshEvent[]): Promise<StoreOp[]> {
    this.pending = [...events]
    return []
  }

  committed (): void {
    this.written.push(...this.pending)
    this.pending = []
    this.committedCalls++
  }
}

/**
 * Stands in for the node's publisher, which signs and gossips: it writes what the appeal hands it in
 * one atomic write, as the publisher writes it with the batch, or fails before writing when told to.
 */
class StandInPublisher implements OpinionPublisher {
  readonly published: OpinionEntry[][] = []
  failNext = false
  constructor (private readonly store: HashStore, private readonly audit: AuditLog) {}
  async publish (entries: readonly OpinionEntry[], actor: string, extra: (batchId: string) => () => Promise<WithPublish>): Promise<{ batchId: string }> {
    if (this.failNext) {
      this.failNext = false
      throw new Error('not stored')
    }
    const build = extra(BATCH_ID)
    await this.store.writeAtomically(async () => {
      const { ops, audit } = await build()
      return [...ops, ...await this.audit.opsForAll([{ actor, action: 'publish', details: { batchId: BATCH_ID } }, ...(audit === undefined ? [] : [audit])])]
    })
    this.published.push([...entries])
    return { batchId: BATCH_ID }
  }
}

describe('matches: appeals', () => {
  const temp = new TempStore()
  let store: HashStore
  let audit: AuditLog
  let log: MatchLog
  let allowlist: AllowlistStore
  let publisher: StandInPublisher
  let events: RecordingEvents
  let opine: boolean
  let appeals: AppealService

  beforeEach(async () => {
    store = await temp.setup()
    audit = new AuditLog(store)
    log = new MatchLog({ store, audit, now: () => T0 + 1000 })
    allowlist = await AllowlistStore.load(store, audit)
    publisher = new StandInPublisher(store, audit)
    events = new RecordingEvents()
    opine = true
    appeals = new AppealService({ store, log, allowlist, publisher, canOpine: () => opine, events, now: () => T0 + 2000 })
    await log.record(inputFor('post-1', T0, { value: sha256Of(1) }))
  })
  afterEach(async () => { await temp.teardown() })

  async function actions (): Promise<string[]> {
    return (await audit.list({})).map(r => r.action)
  }

  it('upheld: allowlists, publishes one opinion with the reason, and records outcome, event and audit record together', async () => {
    const result = await appeals.appeal({ contentId: 'post-1', outcome: 'upheld', reason: 'not_violating', note: 'news' }, 'officer')
    assert.deepEqual(publisher.published, [[{ type: 'sha256', value: sha256Of(1), action: 'false_positive', reason: 'not_violating' }]])
    assert.notEqual(allowlist.get(requireSignalType('sha256').code, Buffer.from(sha256Of(1), 'hex')), undefined)
    assert.equal(result.record.appeal?.opinionBatchId, BATCH_ID)
    assert.deepEqual(await actions(), ['allowlist.add', 'publish', 'appeal'])
    assert.deepEqual(events.written.map(e => [e.type, (e.data as { contentId: string }).contentId, (e.data as { opinionBatchId?: string }).opinionBatchId]), [
      ['appeal', 'post-1', BATCH_ID]
    ])
    assert.equal((await log.latestFor('post-1'))?.appeal?.outcome, 'upheld')
  })

  it('a run cut short before the publish is completed by the next, which publishes once and allowlists nothing twice', async () => {
    publisher.failNext = true
    await assert.rejects(appeals.appeal({ contentId: 'post-1', outcome: 'upheld', reason: 'not_violating' }, 'officer'), /not stored/)
    assert.equal((await log.latestFor('post-1'))?.appeal, undefined)
    assert.deepEqual(await actions(), ['allowlist.add'])
    const done = await appeals.appeal({ contentId: 'post-1', outcome: 'upheld', reason: 'not_violating' }, 'officer')
    assert.equal(done.already, false)
    assert.equal(publisher.published.length, 1)
    assert.deepEqual(await actions(), ['allowlist.add', 'publish', 'appeal'])
    const again = await appeals.appeal({ contentId: 'post-1', outcome: 'upheld', reason: 'not_violating' }, 'officer')
    assert.equal(again.already, true)
    assert.equal(publisher.published.length, 1)
    assert.deepEqual(await actions(), ['allowlist.add', 'publish', 'appeal'])
    assert.equal(events.written.length, 1)
  })

  it('a failed final write leaves no outcome, event or audit record; the rerun completes it', async () => {
    opine = false
    let failing = true
    interceptWrite(store, 'batch', async (args, original) => {
      const ops = args[0] as Array<{ key: Uint8Array }>
      if (failing && ops.some(o => o.key[0] === Bucket.matchRecord)) throw new Error('disk full')
      await original(...args)
    })
    await assert.rejects(appeals.appeal({ contentId: 'post-1', outcome: 'upheld', reason: 'x' }, 'officer'), /disk full/)
    assert.equal((await log.latestFor('post-1'))?.appeal, undefined)
    assert.equal(events.written.length, 0)
    assert.deepEqual(await actions(), ['allowlist.add'])
    failing = false
    const done = await appeals.appeal({ contentId: 'post-1', outcome: 'upheld', reason: 'x' }, 'officer')
    assert.equal(done.opinionBatchId, undefined)
    assert.equal(publisher.published.length, 0)
    assert.deepEqual(await actions(), ['allowlist.add', 'appeal'])
    assert.equal(events.written.length, 1)
  })

  it('without the opine role an upheld appeal allowlists and records, publishing nothing', async () => {
    opine = false
    const result = await appeals.appeal({ contentId: 'post-1', outcome: 'upheld', reason: 'x' }, 'officer')
    assert.equal(result.opinionBatchId, undefined)
    assert.equal(publisher.published.length, 0)
    assert.equal(result.allowlisted.length, 1)
  })

  it('rejected records the outcome only; the other outcome afterwards is APPEAL_DECIDED; unknown content and bad input are refused', async () => {
    const result = await appeals.appeal({ contentId: 'post-1', outcome: 'rejected', reason: 'violating' }, 'officer')
    assert.equal(result.record.appeal?.outcome, 'rejected')
    assert.deepEqual(allowlist.list(), [])
    assert.deepEqual(await actions(), ['appeal'])
    await assert.rejects(appeals.appeal({ contentId: 'post-1', outcome: 'upheld', reason: 'x' }, 'officer'), { code: 'APPEAL_DECIDED' })
    await assert.rejects(appeals.appeal({ contentId: 'post-2', outcome: 'upheld', reason: 'x' }, 'officer'), { code: 'NO_MATCH_FOR_CONTENT' })
    await assert.rejects(appeals.appeal({ contentId: 'post-1', outcome: 'upheld', reason: 'Bad Reason' }, 'officer'), { code: 'BAD_APPEAL' })
    await assert.rejects(appeals.appeal({ contentId: 'post-1', outcome: 'upheld', reason: 'x', note: '' }, 'officer'), { code: 'BAD_APPEAL' })
    await assert.rejects(appeals.appeal({ contentId: '', outcome: 'upheld', reason: 'x' }, 'officer'), { code: 'BAD_CONTENT_ID' })
  })

  it('an appeal is about the content\'s latest match', async () => {
    const latest = await log.record(inputFor('post-1', T0 + 500, { value: sha256Of(2) }))
    const result = await appeals.appeal({ contentId: 'post-1', outcome: 'upheld', reason: 'x' }, 'officer')
    assert.equal(result.record.id, latest.id)
    assert.deepEqual(result.allowlisted, [{ type: 'sha256', value: sha256Of(2) }])
  })
})
