/**
 * Audit and forum-aware lookup speed over one store of N sha256 entries (signed batches of 10,000
 * from 3 publishers, spread over the last 12 months, in a real LevelDB), each figure beside a
 * baseline measured in the same run on the same store:
 *   1. audit verify (verifyStore) beside a raw scan of every key and value, and beside the batch
 *      signatures verified alone (decodeSignedBatch + verify);
 *   2. the monthly transparency report, and 3. the CSV export (bytes counted, discarded), beside the
 *      raw scans (whole store, and the signed-batch bucket they actually read);
 *   4. lookupMany of listed hashes with forum membership (one root, 3 credentials it signed) and a
 *      match policy, beside the same service with everyone trusted and the default policy; and
 *      provenance() of single hashes beside reading, decoding and verifying their batch alone.
 * Only the ratios are stable on a noisy 2-core machine.
 *
 *   npm run bench:audit                               # 500,000 entries
 *   AUDIT_BENCH_ENTRIES=100000 npm run bench:audit
 */
import { randomBytes, randomInt } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { AuditService } from '../src/audit/auditService.js'
import { formatExport } from '../src/audit/exportFormat.js'
import { generateSecretKey, publicKeyOf, sign, verify } from '../src/crypto/ed25519.js'
import { Membership } from '../src/forum/membership.js'
import { EVERYONE_TRUSTED } from '../src/forum/standing.js'
import { silentLogger } from '../src/logger.js'
import { LookupIndexes } from '../src/lookup/lookupIndexes.js'
import { LookupService, type LookupQuery } from '../src/lookup/lookupService.js'
import { DEFAULT_MATCH_POLICY, type MatchPolicyOptions } from '../src/lookup/matchPolicy.js'
import { toHex } from '../src/signals/hex.js'
import { requireSignalType } from '../src/signals/registry.js'
import { AuditLog } from '../src/store/auditLog.js'
import { scanStoredBatches, storedBatchAt } from '../src/store/batchScan.js'
import { HashStore } from '../src/store/hashStore.js'
import type { Repository } from '../src/store/repository.js'
import { decodeStoredBatch } from '../src/store/records.js'
import { verifyStore } from '../src/store/storeVerifier.js'
import { decodeSignedBatch } from '../src/wire/batchCodec.js'
import { decodeSignedForumRecord, encodeForumRecordBody, encodeSignedForumRecord } from '../src/wire/forumCodec.js'
import { MAX_ENTRIES_PER_BATCH } from '../src/wire/limits.js'
import { Action, type DecodedBatch, type Entry } from '../src/wire/types.js'
import { makeSignedBatch } from '../test/helpers/batches.js'
import { LOCAL_SOURCE } from '../src/wire/batchSource.js'
import { fmt, seconds } from './figures.js'

const ENTRIES = Number(process.env.AUDIT_BENCH_ENTRIES ?? 500_000)
if (!Number.isSafeInteger(ENTRIES) || ENTRIES < 1) throw new Error(`AUDIT_BENCH_ENTRIES must be a positive integer, got ${process.env.AUDIT_BENCH_ENTRIES}`)
const PUBLISHERS = 3
const BATCHES = Math.ceil(ENTRIES / MAX_ENTRIES_PER_BATCH)
const NETWORK = 'bench'
const DAY_MS = 24 * 60 * 60 * 1000
/** Created-at spread over a year, so the monthly report has a dozen periods, not one. */
const SPAN_MS = 365 * DAY_MS
/** Every 4th entry carries the label the policy wants confirmed: that branch of the verdict runs and refuses. */
const REVIEW_LABEL = 'needs:review'
const REVIEW_EVERY = 4
const BASE_LABELS = ['category:bench']
const POLICY: MatchPolicyOptions = { falsePositiveThreshold: 2, confirmationsRequired: { [REVIEW_LABEL]: 1 } }
/** 10,000 hits in requests of 1,000, as a platform checking a day's uploads would send them. */
const LOOKUP_HITS = Math.min(10_000, ENTRIES)
const LOOKUP_CHUNK = Math.min(1_000, LOOKUP_HITS)
const PROVENANCE_CALLS = Math.min(1_000, LOOKUP_HITS)
/** Provenance calls per turn when alternating with its baseline (each call is ~20 ms: too slow for best-of rounds). */
const PROVENANCE_GROUP = 50
const SHA256_CODE = requireSignalType('sha256').code
/** Best of a few interleaved rounds for the short measurements: the first also pays for JIT and cold blocks. */
const ROUNDS = 3
/** Keys per native call in the raw scans, as the store's own scans use. */
const SCAN_CHUNK = 1000

interface Publisher { secretKey: Uint8Array, publicKey: Uint8Array, organisation: string }

/** A listed hash kept aside while the store is built (the rest are dropped, so memory stays flat). */
interface Sampled { hex: string, review: boolean }

async function timed<T> (fn: () => Promise<T>): Promise<{ s: number, result: T }> {
  const started = process.hrtime.bigint()
  const result = await fn()
  return { s: seconds(started), result }
}

const secs = (s: number): string => s < 0.1 ? `${(s * 1000).toFixed(1)} ms` : `${s.toFixed(2)} s`
const times = (r: number): string => `${r.toFixed(2)}×`

function line (label: string, value: string, note = ''): void {
  console.log(`${label.padEnd(52)}${value.padStart(18)}  ${note}`)
}

/**
 * Builds the store the way a node fills it (applyBatch of signed batches), publishers taking turns
 * so their chains interleave in time, and keeps an evenly spread sample of the hashes for lookups.
 */
async function buildStore (store: HashStore, publishers: Publisher[], startMs: number): Promise<Sampled[]> {
  const perBatch = Math.ceil(LOOKUP_HITS / BATCHES)
  const sample: Sampled[] = []
  const prev = new Map<number, Uint8Array>()
  const seq = new Array<number>(PUBLISHERS).fill(0)
  for (let b = 0; b < BATCHES; b++) {
    const count = Math.min(MAX_ENTRIES_PER_BATCH, ENTRIES - b * MAX_ENTRIES_PER_BATCH)
    // One random pool per batch: the codec copies the values, so the pool is garbage after signing.
    const pool = randomBytes(count * 32)
    const entries: Entry[] = Array.from({ length: count }, (_, i) => ({
      signalType: 'sha256',
      value: pool.subarray(i * 32, (i + 1) * 32),
      labels: i % REVIEW_EVERY === 0 ? [...BASE_LABELS, REVIEW_LABEL] : BASE_LABELS,
      action: Action.ADD
    }))
    const p = b % PUBLISHERS
    seq[p]!++
    const batch: DecodedBatch = makeSignedBatch({
      secretKey: publishers[p]!.secretKey,
      seq: seq[p]!,
      prev: prev.get(p),
      entries,
      network: NETWORK,
      createdAtMs: startMs + Math.floor(b * SPAN_MS / BATCHES)
    })
    await store.applyBatch(batch, { receivedAtMs: Date.now(), source: LOCAL_SOURCE })
    prev.set(p, batch.id)
    for (let k = 0; k < perBatch && sample.length < LOOKUP_HITS; k++) {
      const i = randomInt(count)
      sample.push({ hex: toHex(entries[i]!.value), review: i % REVIEW_EVERY === 0 })
    }
  }
  return sample
}

/**
 * One forum root and a credential for each publisher, signed by the root through the wire codec and
 * checked as the forum ingester would, so lookups evaluate real credentials (window, role, revocations).
 */
function forumMembership (publishers: Publisher[], startMs: number): Membership {
  const rootSecret = generateSecretKey()
  const root = publicKeyOf(rootSecret)
  const membership = new Membership({ roots: [toHex(root)], trusted: [], revokedEntries: 'keep' })
  publishers.forEach((p, i) => {
    const body = encodeForumRecordBody({
      signer: root,
      network: NETWORK,
      createdAtMs: startMs - DAY_MS,
      credential: {
        member: p.publicKey,
        organisation: p.organisation,
        roles: ['publish', 'consume', 'opine'],
        validFromMs: startMs - DAY_MS,
        validUntilMs: startMs + 2 * SPAN_MS,
        serial: i + 1
      }
    })
    const record = decodeSignedForumRecord(encodeSignedForumRecord(body, sign(body, rootSecret)))
    if (!verify(record.signature, record.bodyBytes, root)) throw new Error('root signature on a credential does not verify')
    if (!membership.add(record)) throw new Error('membership refused a credential of its own root')
  })
  return membership
}

/** The baseline: every key and value of `buckets` (all by default) read once, undecoded, through the store's repositories. */
async function rawScan (
  store: HashStore, buckets?: ReadonlyArray<Pick<Repository<unknown, unknown>, 'entriesBinary'>>
): Promise<{ records: number, bytes: number }> {
  let records = 0
  let bytes = 0
  for (const repository of buckets ?? Object.values(store.repositories) as Array<Pick<Repository<unknown, unknown>, 'entriesBinary'>>) {
    for await (const rows of repository.entriesBinary({ chunk: SCAN_CHUNK })) {
      records += rows.length
      for (const [k, v] of rows) bytes += k.length + v.length
    }
  }
  return { records, bytes }
}

/**
 * Each stored batch's signature checked alone: only decodeSignedBatch + verify are timed, the read
 * and the StoredBatch envelope are not, so this is the pure signature share of audit verify.
 */
async function signaturesOnly (store: HashStore): Promise<{ s: number, batches: number }> {
  let ns = 0n
  let batches = 0
  for await (const [, v] of scanStoredBatches(store)) {
    const signed = decodeStoredBatch(v).signed
    const started = process.hrtime.bigint()
    const batch = decodeSignedBatch(signed)
    const ok = verify(batch.signature, batch.bodyBytes, batch.body.publisher)
    ns += process.hrtime.bigint() - started
    if (!ok) throw new Error('a stored batch signature does not verify')
    batches++
  }
  return { s: Number(ns) / 1e9, batches }
}

/** The best (shortest) time over ROUNDS of each of two contenders, run in turn so drift hits both alike. */
async function interleaved (a: () => Promise<void>, b: () => Promise<void>): Promise<[number, number]> {
  let bestA = Infinity
  let bestB = Infinity
  for (let round = 0; round < ROUNDS; round++) {
    bestA = Math.min(bestA, (await timed(a)).s)
    bestB = Math.min(bestB, (await timed(b)).s)
  }
  return [bestA, bestB]
}

/**
 * Total time of each of two contenders over the same items, taken in alternating groups: for work
 * too slow to repeat (a provenance call decodes a whole batch), drift still hits both alike.
 */
async function alternating<T> (items: readonly T[], group: number, a: (g: readonly T[]) => Promise<void>,
  b: (g: readonly T[]) => Promise<void>): Promise<[number, number]> {
  let totalA = 0
  let totalB = 0
  for (let first = 0; first < items.length; first += group) {
    const g = items.slice(first, first + group)
    totalA += (await timed(async () => { await a(g) })).s
    totalB += (await timed(async () => { await b(g) })).s
  }
  return [totalA, totalB]
}

function commandLine (): string {
  const env = process.env.AUDIT_BENCH_ENTRIES === undefined ? '' : `AUDIT_BENCH_ENTRIES=${process.env.AUDIT_BENCH_ENTRIES} `
  const event = process.env.npm_lifecycle_event
  // npx sets these too (event 'npx'); only a package script names itself.
  if (event !== undefined && event !== 'npx') return `${env}npm run ${event}   (${process.env.npm_lifecycle_script ?? ''})`
  // tsx re-executes node with its own loader flags: print the tsx command that was typed instead.
  const flags: string[] = []
  let viaTsx = false
  for (let i = 0; i < process.execArgv.length; i++) {
    const flag = process.execArgv[i]!
    const value = process.execArgv[i + 1]
    if ((flag === '--require' || flag === '--import') && value?.includes('/tsx/') === true) {
      viaTsx = true
      i++
    } else {
      flags.push(flag)
    }
  }
  const script = relative(process.cwd(), process.argv[1] ?? '')
  return `${env}${[viaTsx ? 'tsx' : process.argv0, ...flags, script, ...process.argv.slice(2)].join(' ')}`
}

async function main (): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'hashmesh-bench-audit-'))
  const dbPath = join(dir, 'db')
  try {
    console.log(`audit: ${fmt(ENTRIES)} sha256 entries in ${fmt(BATCHES)} signed batches of up to ${fmt(MAX_ENTRIES_PER_BATCH)} from ${PUBLISHERS} ` +
      `publishers, node ${process.version}\n`)
    const publishers: Publisher[] = Array.from({ length: PUBLISHERS }, (_, i) => {
      const secretKey = generateSecretKey()
      return { secretKey, publicKey: publicKeyOf(secretKey), organisation: `Bench Org ${i + 1}` }
    })
    const startMs = Date.now() - SPAN_MS

    let store = await HashStore.open(dbPath)
    const build = await timed(async () => await buildStore(store, publishers, startMs))
    const sample = build.result
    // Reopen so every pass reads the store from disk, as the CLI's `audit verify` of a stopped node does.
    await store.close()
    store = await HashStore.open(dbPath)
    line('build (sign + applyBatch), not the point', secs(build.s), `(${fmt(ENTRIES / build.s)} entries/s)`)

    // 1. audit verify. The raw scan runs twice, before and after, and keeps the best: the first also
    // warms the page cache, which verify would otherwise be the one to pay for.
    const scan1 = await timed(async () => await rawScan(store))
    const verified = await timed(async () => await verifyStore(store))
    const scan2 = await timed(async () => await rawScan(store))
    const rawS = Math.min(scan1.s, scan2.s)
    const { records, bytes } = scan1.result
    const { checked, problems } = verified.result
    if (problems.length > 0) throw new Error(`verify found ${problems.length} problems in a clean store, first ${problems[0]!.code}: ${problems[0]!.message}`)
    if (checked.entries !== ENTRIES || checked.signatures !== BATCHES || checked.indexRows !== ENTRIES) {
      throw new Error(`verify checked ${checked.entries} entries, ${checked.signatures} signatures, ${checked.indexRows} index rows`)
    }
    const sigs = await signaturesOnly(store)
    if (sigs.batches !== BATCHES) throw new Error(`signature pass read ${sigs.batches} batches, expected ${BATCHES}`)
    const verifyS = verified.s

    // 2 and 3 read only the signed-batch bucket; its own raw scan is the tight baseline for them.
    const batchScan = await timed(async () => await rawScan(store, [store.repositories.signedBatch]))
    if (batchScan.result.records !== BATCHES) throw new Error(`signed-batch bucket holds ${batchScan.result.records} records, expected ${BATCHES}`)
    const membership = forumMembership(publishers, startMs)
    const indexes = await LookupIndexes.load(store, silentLogger())
    const plain = new LookupService({ store, indexes, standing: EVERYONE_TRUSTED, policy: DEFAULT_MATCH_POLICY })
    const forum = new LookupService({ store, indexes, standing: membership, policy: POLICY })
    const verdict = async (type: string, valueHex: string): Promise<{ match: boolean, reasons: string[], listed: boolean }> => {
      const own = (await forum.lookup(type, valueHex)).hashes.find(h => h.value === valueHex)
      return own === undefined ? { match: false, reasons: ['not listed'], listed: false } : { match: own.match, reasons: own.reasons, listed: own.listed }
    }
    const audit = new AuditService({ store, auditLog: new AuditLog(store), standing: membership, verdict, forumRoots: () => [] })

    const report = await timed(async () => await audit.transparency({ period: 'month' }))
    // Publishers take turns, so a store of fewer batches than publishers has fewer publishing.
    if (report.result.entries !== ENTRIES || report.result.publishers !== Math.min(PUBLISHERS, BATCHES)) {
      throw new Error(`transparency counted ${report.result.entries} entries of ${report.result.publishers} publishers`)
    }
    if (report.result.rows.some(r => r.organisation === null)) throw new Error('transparency rows without an organisation: membership not consulted')

    const exported = await timed(async () => {
      let chars = 0
      let csvBytes = 0
      for await (const piece of formatExport(audit.exportEntries({ since: '1970-01-01' }), 'csv')) {
        chars += piece.length
        csvBytes += Buffer.byteLength(piece)
      }
      return { chars, csvBytes }
    })
    // The CSV is ASCII: one byte per character, so this also proves no row was lost to a partial piece.
    if (exported.result.chars !== exported.result.csvBytes) throw new Error('export produced non-ASCII text')

    // 4. lookups: every sampled hash is listed; with membership and policy the review-labelled ones
    // are refused for want of a confirmation, which checks the policy really ran.
    const queries: LookupQuery[] = sample.map(s => ({ type: 'sha256', value: s.hex }))
    const expectedRefused = sample.filter(s => s.review).length
    const lookAll = (service: LookupService, check: (refused: number) => void) => async (): Promise<void> => {
      let refused = 0
      for (let first = 0; first < queries.length; first += LOOKUP_CHUNK) {
        const answers = await service.lookupMany(queries.slice(first, first + LOOKUP_CHUNK))
        for (const a of answers) {
          if (!a.listed) throw new Error(`sampled hash ${a.value} not listed`)
          if (!a.match) refused++
        }
      }
      check(refused)
    }
    const [plainS, forumS] = await interleaved(
      lookAll(plain, refused => { if (refused !== 0) throw new Error(`${refused} hashes refused with the default policy`) }),
      lookAll(forum, refused => { if (refused !== expectedRefused) throw new Error(`policy refused ${refused} hashes, expected ${expectedRefused}`) })
    )
    const standing = (await forum.lookup('sha256', sample[0]!.hex)).matches[0]
    if (standing?.standing !== 'member' || standing.organisation === undefined) throw new Error(`expected a member's row, got ${JSON.stringify(standing)}`)

    // provenance: one report per hash, each reading and re-verifying the hash's signed batch; the
    // baseline does only that read, decode and verify, for the same hashes in the same order.
    const picks = sample.filter((_, i) => i % Math.max(1, Math.floor(sample.length / PROVENANCE_CALLS)) === 0).slice(0, PROVENANCE_CALLS)
    const [provenanceS, batchCheckS] = await alternating(picks, PROVENANCE_GROUP,
      async group => {
        for (const s of group) {
          const r = await audit.provenance('sha256', s.hex)
          if (r.events.length !== 1 || r.events[0]!.signature !== 'valid' || r.events[0]!.standing !== 'member' || !r.verdict.listed) {
            throw new Error(`unexpected provenance for ${s.hex}: ${JSON.stringify(r.events[0])}`)
          }
        }
      },
      async group => {
        for (const s of group) {
          const [row] = await store.entriesFor(SHA256_CODE, Buffer.from(s.hex, 'hex'))
          const stored = row === undefined ? undefined : await storedBatchAt(store, row.publisher, row.seq)
          if (stored === undefined) throw new Error(`no stored batch for ${s.hex}`)
          const batch = decodeSignedBatch(stored.signed)
          if (!verify(batch.signature, batch.bodyBytes, batch.body.publisher)) throw new Error('stored batch signature does not verify')
        }
      }
    )
    await store.close()

    console.log()
    line(`1. audit verify (${fmt(checked.entries)} entries, ${fmt(checked.signatures)} batches)`, 'seconds', 'rates')
    line('verifyStore', secs(verifyS), `${fmt(ENTRIES / verifyS)} entries/s, ${(BATCHES / verifyS).toFixed(1)} batches/s`)
    line(`raw scan, every key+value (${fmt(records)} records, ${(bytes / 2 ** 20).toFixed(0)} MiB)`, secs(rawS),
      `${fmt(records / rawS)} records/s (runs ${secs(scan1.s)}, ${secs(scan2.s)})`)
    line('signatures alone (decodeSignedBatch + verify)', secs(sigs.s), `${(BATCHES / sigs.s).toFixed(1)} batches/s`)
    line('ratio verify / raw scan', times(verifyS / rawS))
    line('ratio verify / signatures alone', times(verifyS / sigs.s))
    console.log()
    line('2. transparency report, monthly', 'seconds', '')
    line(`AuditService.transparency (${report.result.rows.length} rows)`, secs(report.s), `${fmt(ENTRIES / report.s)} entries/s`)
    line('raw scan, signed-batch bucket only', secs(batchScan.s), `ratio report / this ${times(report.s / batchScan.s)}`)
    line('raw scan, whole store', secs(rawS), `ratio report / this ${times(report.s / rawS)}`)
    console.log()
    line('3. export to CSV (bytes counted, discarded)', 'rows/s', '')
    line(`exportEntries → formatExport csv (${(exported.result.csvBytes / 2 ** 20).toFixed(0)} MiB)`, fmt(ENTRIES / exported.s), secs(exported.s))
    line('raw scan, signed-batch bucket only', fmt(ENTRIES / batchScan.s), `entries/s; ratio export time / this ${times(exported.s / batchScan.s)}`)
    line('raw scan, whole store', fmt(ENTRIES / rawS), `entries/s; ratio export time / this ${times(exported.s / rawS)}`)
    console.log()
    line(`4. lookupMany, ${fmt(queries.length)} hits in requests of ${fmt(LOOKUP_CHUNK)}`, 'lookups/s', `best of ${ROUNDS}`)
    line('membership (1 root, 3 credentials) + policy', fmt(queries.length / forumS), `${expectedRefused} refused for want of confirmation`)
    line('EVERYONE_TRUSTED + DEFAULT_MATCH_POLICY', fmt(queries.length / plainS))
    line('ratio time forum / plain', times(forumS / plainS))
    line(`provenance(), ${fmt(picks.length)} hashes one at a time`, 'calls/s', `alternating groups of ${PROVENANCE_GROUP}`)
    line('AuditService.provenance (membership verdict)', fmt(picks.length / provenanceS))
    line('their batch read + decode + verify alone', fmt(picks.length / batchCheckS))
    line('ratio provenance time / batch check alone', times(provenanceS / batchCheckS))

    console.log(`\n${'-'.repeat(84)}`)
    console.log(`command: ${commandLine()}`)
    console.log(`store:   ${fmt(ENTRIES)} entries, ${fmt(BATCHES)} batches, ${PUBLISHERS} publishers, ${(bytes / 2 ** 20).toFixed(0)} MiB of records; node ` +
      process.version)
    const table: Array<[string, string, string, string]> = [
      ['audit verify', `${secs(verifyS)}  ${fmt(ENTRIES / verifyS)} entries/s`, `raw scan ${secs(rawS)}; sigs ${secs(sigs.s)}`,
        `${times(verifyS / rawS)} scan, ${times(verifyS / sigs.s)} sigs`],
      ['transparency (monthly)', secs(report.s), `raw scan ${secs(rawS)}`, times(report.s / rawS)],
      ['export CSV', `${fmt(ENTRIES / exported.s)} rows/s`, `raw scan ${fmt(ENTRIES / rawS)} entries/s`, times(exported.s / rawS)],
      ['lookupMany forum+policy', `${fmt(queries.length / forumS)} /s`, `plain ${fmt(queries.length / plainS)} /s`, times(forumS / plainS)],
      ['provenance()', `${fmt(picks.length / provenanceS)} /s`, `batch check ${fmt(picks.length / batchCheckS)} /s`, times(provenanceS / batchCheckS)]
    ]
    console.log(`${'figure'.padEnd(24)}${'this'.padEnd(30)}${'baseline (same run)'.padEnd(38)}ratio (time)`)
    for (const [a, b, c, d] of table) console.log(`${a.padEnd(24)}${b.padEnd(30)}${c.padEnd(38)}${d}`)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

await main()
