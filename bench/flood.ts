/**
 * Untrusted flood: CPU one node spends on one validly signed ~340 KB batch from a key it does not
 * trust, as the rogue peer sent 300 of — through the full validation path (what every
 * such batch cost before the header pre-check: decode every entry, then refuse), through the
 * pre-check, and past the byte budget. Beside them in the same run, the baseline: a trusted batch of
 * the same size validated in full (decode + signature), and gossipsub's message-id hash of the same
 * bytes with noble (before) and node:crypto (now). CPU time (user + system) per batch, so a busy
 * machine slows the figures less than wall time would.
 *
 *   npm run bench:flood                     # 300 batches
 *   FLOOD_BATCHES=100 npm run bench:flood
 */
import { createHash, randomBytes } from 'node:crypto'
import { sha256 } from '@noble/hashes/sha2.js'
import { generateSecretKey, publicKeyOf, sign } from '../src/crypto/ed25519.js'
import { validateBatch, type ValidatorContext } from '../src/ingest/batchValidator.js'
import { StaticTrustList } from '../src/ingest/trustPolicy.js'
import { BatchValidationError } from '../src/ingest/validationError.js'
import { encodeBatchBody, encodeSignedBatch } from '../src/wire/batchCodec.js'
import { Action } from '../src/wire/types.js'

const BATCHES = Number(process.env.FLOOD_BATCHES ?? 300)
/** 6,500 sha256 entries with one short label: ~340 KB, the size in the attack. */
const ENTRIES = 6_500
const NETWORK = 'bench'

function makeBatches (secretKey: Uint8Array, n: number): Uint8Array[] {
  const entries = Array.from({ length: ENTRIES }, () => ({ signalType: 'sha256', value: randomBytes(32), labels: ['flood'], action: Action.ADD }))
  return Array.from({ length: n }, (_, i) => {
    const body = encodeBatchBody({ publisher: publicKeyOf(secretKey), seq: 1, prev: new Uint8Array(0), createdAtMs: Date.now() - i, network: NETWORK, entries })
    return encodeSignedBatch(body, sign(body, secretKey))
  })
}

/** CPU microseconds per item of `fn` over every batch. */
async function cpuPerBatch (batches: Uint8Array[], fn: (bytes: Uint8Array) => Promise<unknown>): Promise<number> {
  const start = process.cpuUsage()
  for (const bytes of batches) await fn(bytes)
  const used = process.cpuUsage(start)
  return (used.user + used.system) / batches.length
}

async function outcome (bytes: Uint8Array, ctx: ValidatorContext): Promise<string> {
  try {
    await validateBatch(bytes, ctx)
    return 'accept'
  } catch (err) {
    if (err instanceof BatchValidationError) return err.code
    throw err
  }
}

function row (label: string, us: number, baseline: number): string {
  return `${label.padEnd(58)} ${Math.round(us).toLocaleString('en-US').padStart(8)} µs  ${(us / baseline).toFixed(3).padStart(7)}x`
}

async function main (): Promise<void> {
  const trustedKey = generateSecretKey()
  const rogueKey = generateSecretKey()
  const trust = new StaticTrustList([], publicKeyOf(trustedKey))
  const ctx: ValidatorContext = { network: NETWORK, trust, store: { hasBatch: async () => false }, maxClockSkewMs: 60_000, now: Date.now }
  // The same policy claiming every key trusted: the pre-check defers, so this is the path before it.
  const fullPath: ValidatorContext = { ...ctx, trust: { isTrusted: () => true, check: body => trust.check(body) } }
  const spent: ValidatorContext = { ...ctx, spendUntrusted: () => false }

  const flood = makeBatches(rogueKey, BATCHES)
  const honest = makeBatches(trustedKey, Math.min(BATCHES, 50))
  const kb = Math.round(flood[0]!.length / 1000)
  console.log(`flood: ${BATCHES} validly signed batches of ${ENTRIES} entries (${kb} KB) from an untrusted key, node ${process.version}\n`)

  const expect = async (bytes: Uint8Array, c: ValidatorContext, code: string): Promise<void> => {
    const got = await outcome(bytes, c)
    if (got !== code) throw new Error(`expected ${code}, got ${got}`)
  }
  // Warm every path once so that the first measured one does not pay for the JIT.
  await expect(flood[0]!, fullPath, 'UNTRUSTED_PUBLISHER')
  await expect(flood[0]!, ctx, 'UNTRUSTED_PUBLISHER')
  await expect(honest[0]!, ctx, 'accept')

  const trustedUs = await cpuPerBatch(honest, async b => { await expect(b, ctx, 'accept') })
  const beforeUs = await cpuPerBatch(flood, async b => { await expect(b, fullPath, 'UNTRUSTED_PUBLISHER') })
  const afterUs = await cpuPerBatch(flood, async b => { await expect(b, ctx, 'UNTRUSTED_PUBLISHER') })
  const budgetUs = await cpuPerBatch(flood, async b => { await expect(b, spent, 'UNTRUSTED_BUDGET') })
  const nobleIdUs = await cpuPerBatch(flood, async b => sha256(b))
  const nodeIdUs = await cpuPerBatch(flood, async b => createHash('sha256').update(b).digest())

  console.log(`${'CPU per batch'.padEnd(58)} ${'time'.padStart(11)}  vs trusted`)
  console.log(row('trusted batch, full validation (baseline)', trustedUs, trustedUs))
  console.log(row('untrusted batch, full path (before the pre-check)', beforeUs, trustedUs))
  console.log(row('untrusted batch, header pre-check (now)', afterUs, trustedUs))
  console.log(row('untrusted batch past the byte budget (now)', budgetUs, trustedUs))
  console.log(row('gossip message id, noble SHA-256 (before)', nobleIdUs, trustedUs))
  console.log(row('gossip message id, node:crypto SHA-256 (now)', nodeIdUs, trustedUs))
  const before = beforeUs + nobleIdUs
  const after = afterUs + nodeIdUs
  console.log(`\nper untrusted batch, validation + message id: ${Math.round(before)} µs before, ${Math.round(after)} µs now ` +
    `(${(before / after).toFixed(0)}x less)`)
  console.log(`the whole flood of ${BATCHES}: ${(before * BATCHES / 1e6).toFixed(2)} s of CPU before, ${(after * BATCHES / 1e6).toFixed(3)} s now`)
}

await main()
