/**
 * How far PDQ moves when a thumbnail is shrunk: each LabelMe photo of the reference vectors is
 * squashed to a square thumbnail (256 and 512 px), re-encoded losslessly, resized to 90 % … 50 %
 * (sharp's default Lanczos), and both are hashed by hashFile (core mode). Prints the distance
 * distribution per size and scale, and how many stay within the default match distance of 31.
 * Accuracy, not speed: the figures are exact and repeat on any machine.
 *
 *   npm run bench:pdq-resize
 */
import { readdir, readFile } from 'node:fs/promises'
import sharp from 'sharp'
import { hashFile } from '../src/hashing/fileHasher.js'
import { hammingDistance } from '../src/hashing/pdq/hashBits.js'
import { vectorPath } from '../test/helpers/pdqVectors.js'

const SIDES = [256, 512]
const SCALES = [90, 80, 70, 60, 50]
const MATCH_DISTANCE = 31

async function pdqOf (png: Buffer): Promise<Uint8Array> {
  return Buffer.from((await hashFile(png)).pdq!.hash, 'hex')
}

async function distances (photos: readonly Buffer[], side: number, scale: number): Promise<number[]> {
  const out: number[] = []
  for (const photo of photos) {
    const thumb = await sharp(photo).resize(side, side, { fit: 'fill' }).png().toBuffer()
    const smaller = Math.round(side * scale / 100)
    const shrunk = await sharp(thumb).resize(smaller, smaller).png().toBuffer()
    out.push(hammingDistance(await pdqOf(thumb), await pdqOf(shrunk)))
  }
  return out.sort((a, b) => a - b)
}

async function main (): Promise<void> {
  const dir = vectorPath('images', 'labelme-subset')
  const photos = await Promise.all((await readdir(dir)).sort().map(async f => await readFile(`${dir}/${f}`)))
  console.log(`${photos.length} photos; distance from the thumbnail's PDQ to the shrunk copy's (core mode)`)
  console.log('side  scale  median  max  within 31  all distances')
  for (const side of SIDES) {
    for (const scale of SCALES) {
      const d = await distances(photos, side, scale)
      const within = d.filter(x => x <= MATCH_DISTANCE).length
      console.log(`${String(side).padStart(4)}  ${`${scale} %`.padStart(5)}  ${String(d[d.length >> 1]).padStart(6)}  ${String(d.at(-1)).padStart(3)}  ` +
        `${`${within}/${d.length}`.padStart(9)}  ${d.join(', ')}`)
    }
  }
}

await main()
