/**
 * Hashing speed over the 40 PDQ reference images (32 JPEG, 8 PNG; 34x42 to 2000x1404), in the same run:
 *   - hashFile (decode + PDQ + md5/sha1/sha256) in core and tool mode, beside sharp's decode alone;
 *   - the PDQ core alone on pre-decoded pixels, core and tool mode;
 *   - the content hashes with @noble/hashes beside node:crypto on the same bytes;
 *   - PDQ alone on one 1600x1004 photo: p50 / p90 of single runs.
 * Only the ratios are stable on a noisy 2-core machine.
 *
 *   npm run bench:hashing                   # 2 timed rounds over the 40 images (about 30 s)
 *   HASHING_ROUNDS=10 npm run bench:hashing
 */
import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { md5, sha1 } from '@noble/hashes/legacy.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { contentHashes } from '../src/hashing/contentHashes.js'
import { hashFile, MAX_IMAGE_PIXELS, type PdqMode } from '../src/hashing/fileHasher.js'
import { type DecodedImage, decodeImage } from '../src/hashing/imageDecoder.js'
import { pdqHash } from '../src/hashing/pdq/pdqHasher.js'
import { toolResize } from '../src/hashing/pdq/toolResize.js'
import { readTsv, vectorPath } from '../test/helpers/pdqVectors.js'
import { percentile } from './figures.js'

const ROUNDS = Number(process.env.HASHING_ROUNDS ?? 2)
const SINGLE_RUNS = 41
const PHOTO = 'bridge-mods/aaa-orig.jpg'

async function timeIt (fn: () => unknown): Promise<number> {
  const start = process.hrtime.bigint()
  await fn()
  return Number(process.hrtime.bigint() - start) / 1e9
}

/** Seconds for ROUNDS passes over every item, after one untimed pass to warm the JIT. */
async function overAll<T> (items: readonly T[], fn: (item: T) => unknown): Promise<number> {
  for (const item of items) await fn(item)
  return await timeIt(async () => {
    for (let r = 0; r < ROUNDS; r++) for (const item of items) await fn(item)
  })
}

function nodeContentHashes (bytes: Uint8Array): void {
  for (const algorithm of ['md5', 'sha1', 'sha256']) createHash(algorithm).update(bytes).digest()
}

function row (label: string, seconds: number, count: number, baseline: number): string {
  const perSecond = count / seconds
  return `${label.padEnd(44)}${perSecond.toFixed(1).padStart(10)}${(1000 / perSecond).toFixed(2).padStart(12)}${(seconds / baseline).toFixed(2).padStart(10)}`
}

async function main (): Promise<void> {
  const files = readTsv('checksums.tsv').map(r => r.file!)
  const bytes = await Promise.all(files.map(async f => await readFile(vectorPath('images', f))))
  const decoded: DecodedImage[] = []
  for (const b of bytes) decoded.push(await decodeImage(b, { maxPixels: MAX_IMAGE_PIXELS }))
  const megabytes = bytes.reduce((s, b) => s + b.length, 0) / 1e6
  const megapixels = decoded.reduce((s, d) => s + d.width * d.height, 0) / 1e6
  const n = files.length * ROUNDS
  console.log(`hashing: ${files.length} images (${megabytes.toFixed(1)} MB, ${megapixels.toFixed(1)} Mpx) × ${ROUNDS} rounds, node ${process.version}\n`)

  const decodeS = await overAll(bytes, async b => await decodeImage(b, { maxPixels: MAX_IMAGE_PIXELS }))
  const fileS: Record<PdqMode, number> = {
    core: await overAll(bytes, async b => await hashFile(b, { mode: 'core' })),
    tool: await overAll(bytes, async b => await hashFile(b, { mode: 'tool' }))
  }
  const pdqS: Record<PdqMode, number> = {
    core: await overAll(decoded, d => pdqHash(d)),
    tool: await overAll(decoded, d => pdqHash(toolResize(d)))
  }
  const pdqDihedralS = await overAll(decoded, d => pdqHash(d, { dihedral: true }))
  const nobleS = await overAll(bytes, b => contentHashes(b))
  const nodeS = await overAll(bytes, nodeContentHashes)
  const nobleSha256S = await overAll(bytes, b => sha256(b))
  const nodeSha256S = await overAll(bytes, b => createHash('sha256').update(b).digest())
  const nobleMd5Sha1S = await overAll(bytes, b => { md5(b); sha1(b) })

  console.log(`${'step'.padEnd(44)}${'images/s'.padStart(10)}${'ms/image'.padStart(12)}${'× decode'.padStart(10)}`)
  console.log(row('sharp decode alone (baseline)', decodeS, n, decodeS))
  console.log(row('hashFile core (decode + PDQ + content)', fileS.core, n, decodeS))
  console.log(row('hashFile tool (decode + 512² + PDQ + content)', fileS.tool, n, decodeS))
  console.log(row('PDQ core alone, pre-decoded', pdqS.core, n, decodeS))
  console.log(row('PDQ core + 8 dihedral, pre-decoded', pdqDihedralS, n, decodeS))
  console.log(row('PDQ tool alone (resize + PDQ), pre-decoded', pdqS.tool, n, decodeS))
  console.log(row('content hashes, noble md5+sha1+sha256', nobleS, n, decodeS))
  console.log(row('content hashes, node:crypto md5+sha1+sha256', nodeS, n, decodeS))

  const mbps = (s: number): string => `${(megabytes * ROUNDS / s).toFixed(0)} MB/s`
  console.log(`\ncontent hashes: noble ${mbps(nobleS)} (sha256 ${mbps(nobleSha256S)}, md5+sha1 ${mbps(nobleMd5Sha1S)}); ` +
    `node:crypto ${mbps(nodeS)} (sha256 ${mbps(nodeSha256S)}): noble/node time ratio ${(nobleS / nodeS).toFixed(1)}`)
  console.log(`share of hashFile core spent in PDQ ${(100 * pdqS.core / fileS.core).toFixed(0)}%, in decode ${(100 * decodeS / fileS.core).toFixed(0)}%, ` +
    `in noble content hashes ${(100 * nobleS / fileS.core).toFixed(0)}%`)

  const photo = decoded[files.indexOf(PHOTO)]!
  for (const [label, fn] of [
    ['core', () => pdqHash(photo)],
    ['core + dihedral', () => pdqHash(photo, { dihedral: true })],
    ['tool (resize + PDQ)', () => pdqHash(toolResize(photo))]
  ] as const) {
    fn()
    const ms: number[] = []
    for (let i = 0; i < SINGLE_RUNS; i++) ms.push(await timeIt(fn) * 1000)
    ms.sort((a, b) => a - b)
    console.log(`PDQ alone on ${PHOTO} (${photo.width}×${photo.height}), ${label}: p50 ${percentile(ms, 0.5).toFixed(1)} ms, p90 ` +
      `${percentile(ms, 0.9).toFixed(1)} ms`)
  }
}

await main()
