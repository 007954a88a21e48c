import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Level } from 'level'
import { pino } from 'pino'
import { type Logger, silentLogger } from '../../../src/logger.js'
import { Bucket, MetaKey } from '../../../src/store/buckets.js'
import { HashStore, SCHEMA_VERSION } from '../../../src/store/hashStore.js'
import { bucketRange, metaKey } from '../../../src/store/keys.js'
import { MIGRATIONS } from '../../../src/store/migrations.js'
import { decodeMigrationCursor, decodeStoreMeta, storeRecordType } from '../../../src/store/records.js'
import type { LevelDb, StoreOp } from '../../../src/store/repository.js'
import { upgradeSchema } from '../../../src/store/schemaUpgrade.js'
import { StoreRepositories } from '../../../src/store/storeRepositories.js'
import { storeAnswers } from '../../fixtures/store-v1/answers.js'
import { restoreStoreV1 } from '../../fixtures/store-v1/storeDump.js'

const FIXTURE = fileURLToPath(new URL('../../fixtures/store-v1/', import.meta.url))

/** A logger whose lines are kept, to see what an open did. */
function recordingLogger (): { logger: Logger, lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = []
  const logger: Logger = pino({ level: 'info' }, { write: (line: string) => { lines.push(JSON.parse(line) as Record<string, unknown>) } })
  return { logger, lines }
}

async function schemaOf (path: string): Promise<{ version: number, cursor?: Uint8Array }> {
  const db: LevelDb = new Level<Uint8Array, Uint8Array>(path, { keyEncoding: 'view', valueEncoding: 'view' })
  await db.open()
  try {
    const version = decodeStoreMeta((await db.get(metaKey(MetaKey.schemaVersion)))).schemaVersion
    const cursor = await db.get(metaKey(MetaKey.migrationCursor))
    return { version, ...(cursor === undefined ? {} : { cursor: decodeMigrationCursor(cursor).afterKey }) }
  } finally {
    await db.close()
  }
}

/** Opens the store at `path` as a node would, and reads its answers. */
async function answersOnOpen (path: string, logger: Logger): Promise<unknown> {
  const store = await HashStore.open(path, { logger })
  try {
    return await storeAnswers(store)
  } finally {
    await store.close()
  }
}

describe('store: a store written by the schema-1 release (test/fixtures/store-v1)', function () {
  let dir: string
  let path: string
  let expected: unknown

  before(async () => {
    expected = JSON.parse(await readFile(join(FIXTURE, 'expected.json'), 'utf8'))
  })

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hashmesh-upgrade-'))
    path = join(dir, 'db')
    await restoreStoreV1(path)
  })

  afterEach(async () => { await rm(dir, { recursive: true, force: true }) })

  it('is at schema 1, which this build migrates', async () => {
    assert.equal((await schemaOf(path)).version, 1)
    assert.ok(SCHEMA_VERSION > 1)
  })

  it('opens migrated, answers and verifies exactly as before, and a second open changes nothing', async () => {
    const first = recordingLogger()
    assert.deepEqual(await answersOnOpen(path, first.logger), expected)
    const upgraded = first.lines.find(l => l.msg === 'store: layout upgraded')
    assert.ok(upgraded !== undefined, 'the migration is logged')
    assert.deepEqual([upgraded.from, upgraded.to, upgraded.batches, upgraded.forumRecords], [1, 2, 7, 4])
    assert.equal(typeof upgraded.ms, 'number')
    assert.deepEqual(await schemaOf(path), { version: SCHEMA_VERSION })

    const second = recordingLogger()
    assert.deepEqual(await answersOnOpen(path, second.logger), expected)
    assert.deepEqual(second.lines, [])
  })

  it('a migration stopped part-way leaves the version, resumes after its cursor and ends the same', async () => {
    const db: LevelDb = new Level<Uint8Array, Uint8Array>(path, { keyEncoding: 'view', valueEncoding: 'view' })
    await db.open()
    const repositories = new StoreRepositories(db)
    let commits = 0
    const killedAfterOneChunk = async (ops: StoreOp[]): Promise<void> => {
      if (commits++ === 1) throw new Error('injected: killed')
      await db.batch(ops)
    }
    try {
      await assert.rejects(
        upgradeSchema({ repositories, commit: killedAfterOneChunk, logger: silentLogger(), hasRecords: true, location: path }, MIGRATIONS),
        { name: 'StoreError', code: 'MIGRATION_FAILED' }
      )
    } finally {
      await db.close()
    }
    const stopped = await schemaOf(path)
    assert.equal(stopped.version, 1)
    assert.ok(stopped.cursor !== undefined, 'the first chunk left its cursor')

    const resumed = recordingLogger()
    assert.deepEqual(await answersOnOpen(path, resumed.logger), expected)
    assert.equal(resumed.lines.find(l => l.msg !== 'store: layout upgraded')?.resuming, true)
    const upgraded = resumed.lines.find(l => l.msg === 'store: layout upgraded')
    assert.deepEqual([upgraded?.batches, upgraded?.forumRecords], [0, 4])
    assert.deepEqual(await schemaOf(path), { version: SCHEMA_VERSION })
  })

  it('refuses a schema-1 record whose source this node never wrote, and leaves the store at schema 1', async () => {
    const db: LevelDb = new Level<Uint8Array, Uint8Array>(path, { keyEncoding: 'view', valueEncoding: 'view' })
    await db.open()
    try {
      const [k, v] = (await db.iterator({ ...bucketRange(Bucket.signedBatch), limit: 1 }).all())[0]!
      const v1 = storeRecordType('ReceiptedV1')
      const record = v1.toObject(v1.decode(v))
      await db.put(k, v1.encode({ ...record, source: 'carrier-pigeon' }).finish())
    } finally {
      await db.close()
    }
    await assert.rejects(HashStore.open(path), { name: 'StoreError', code: 'CORRUPT_RECORD', message: /carrier-pigeon/ })
    assert.deepEqual(await schemaOf(path), { version: 1 })
  })
})
