/**
 * Memory one upload costs while it is hashed, per pixel, by decoded format: each image (same pixel
 * count) is hashed in a fresh child process, which reports its peak RSS over its baseline (VmHWM -
 * VmRSS before) for decoding alone and for decoding + PDQ, beside the model in
 * src/hashing/decodedBytes.ts, and the RSS still held 2 s after the hash returned. Then the node's
 * path: two uploads at once through UploadHasher's worker threads, peak RSS a pixel of one upload, RSS held 1 s after they return and 2 s after the workers
 * are retired.
 *
 *   npx tsx --import ./src/polyfill.ts bench/uploadMemory.ts          # 3000 x 3000
 *   npx tsx --import ./src/polyfill.ts bench/uploadMemory.ts 5000     # 5000 x 5000
 */
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import sharp from 'sharp'
import { bytesPerPixel } from '../src/hashing/decodedBytes.js'
import { hashFile } from '../src/hashing/fileHasher.js'
import { decodeImage } from '../src/hashing/imageDecoder.js'
import { UploadHasher } from '../src/node/uploadHasher.js'

interface Format { name: string, channels: 1 | 3 | 4, bits: 8 | 16 }

const FORMATS: Format[] = [
  { name: '8-bit grey', channels: 1, bits: 8 },
  { name: '8-bit RGB', channels: 3, bits: 8 },
  { name: '8-bit RGBA', channels: 4, bits: 8 },
  { name: '16-bit RGB', channels: 3, bits: 16 },
  { name: '16-bit RGBA', channels: 4, bits: 16 }
]

function procKb (field: 'VmRSS' | 'VmHWM'): number {
  const line = readFileSync('/proc/self/status', 'utf8').split('\n').find(l => l.startsWith(field))
  return Number(line?.split(/\s+/)[1]) * 1024
}

async function makePng (f: Format, side: number): Promise<Buffer> {
  const length = side * side * f.channels
  const data = f.bits === 16 ? Uint16Array.from({ length }, (_, i) => (i * 7919) % 65536) : Uint8Array.from({ length }, (_, i) => (i * 31) % 256)
  const image = sharp(data, { raw: { width: side, height: side, channels: f.channels } })
  const wide = f.channels === 1 ? 'grey16' : 'rgb16'
  return await (f.bits === 16 ? image.toColourspace(wide) : image).png({ compressionLevel: 1 }).toBuffer()
}

/** Through the node's worker pool, as POST /v1/match does: two at once, RSS sampled as they run. */
async function inWorkers (bytes: Uint8Array): Promise<void> {
  const idleMs = 1000
  const hasher = new UploadHasher({ concurrency: 2, maxWaiting: 2, maxPixels: 268_402_689, idleMs })
  const before = procKb('VmRSS')
  let peak = 0
  const sampler = setInterval(() => { peak = Math.max(peak, procKb('VmRSS')) }, 10)
  await Promise.all([hasher.hash(bytes), hasher.hash(bytes)])
  await sleep(idleMs / 2)
  const held = procKb('VmRSS') - before
  await sleep(idleMs / 2 + 2000)
  clearInterval(sampler)
  process.stdout.write(JSON.stringify({ peak: (peak - before) / 2, after: held, retired: procKb('VmRSS') - before, threads: hasher.threads }))
  await hasher.close()
}

/** In the child: one operation on one file, then its figures as JSON on stdout. */
async function child (file: string, op: string): Promise<void> {
  const bytes = await readFile(file)
  if (op === 'workers') {
    await inWorkers(bytes)
    return
  }
  const before = procKb('VmRSS')
  const maxPixels = 268_402_689
  if (op === 'decode') await decodeImage(bytes, { maxPixels })
  else await hashFile(bytes, { maxPixels })
  const peak = procKb('VmHWM') - before
  await sleep(2000)
  process.stdout.write(JSON.stringify({ peak, after: procKb('VmRSS') - before }))
}

async function main (): Promise<void> {
  const side = Number(process.argv[2] ?? 3000)
  const pixels = side * side
  const dir = await mkdtemp(join(tmpdir(), 'hashmesh-upload-memory-'))
  const self = fileURLToPath(import.meta.url)
  console.log(`${side} x ${side} = ${(pixels / 1e6).toFixed(1)} MP; bytes a pixel: peak RSS over baseline, in a fresh process each`)
  console.log('format        model  decode  decode+pdq  held 2 s later | workers: peak each  held  after retiring')
  try {
    for (const f of FORMATS) {
      const file = join(dir, `${f.channels}-${f.bits}.png`)
      await writeFile(file, await makePng(f, side))
      const run = (op: string): { peak: number, after: number, retired?: number } =>
        JSON.parse(execFileSync(process.execPath, ['--import', 'tsx', self, 'child', file, op], { encoding: 'utf8' })) as
          { peak: number, after: number, retired?: number }
      const decode = run('decode')
      const hash = run('hash')
      const workers = run('workers')
      const model = bytesPerPixel({ channels: f.channels, sampleBytes: f.bits / 8 })
      const px = (n: number, width: number): string => (n / pixels).toFixed(1).padStart(width)
      console.log(`${f.name.padEnd(12)}  ${String(model).padStart(5)}  ${px(decode.peak, 6)}  ${px(hash.peak, 10)}  ${px(hash.after, 14)} | ` +
        `${px(workers.peak, 17)}  ${px(workers.after, 4)}  ${px(workers.retired ?? 0, 14)}`)
    }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

if (process.argv[2] === 'child') await child(process.argv[3]!, process.argv[4]!)
else await main()
