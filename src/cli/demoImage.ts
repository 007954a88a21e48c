import sharp from 'sharp'

const WIDTH = 640
const HEIGHT = 480

/**
 * A made-up "known-bad" photo for the demo: smooth shapes and gradients, the same on every run,
 * so it has a high-quality PDQ and survives the edits below the way a real photo does.
 */
export async function demoImage (): Promise<Buffer> {
  const rgb = Buffer.alloc(WIDTH * HEIGHT * 3)
  for (let y = 0; y < HEIGHT; y++) {
    for (let x = 0; x < WIDTH; x++) {
      const disc = (x - 220) ** 2 + (y - 200) ** 2 < 110 ** 2
      const band = Math.sin(x / 37) * Math.cos(y / 23)
      const i = (y * WIDTH + x) * 3
      rgb[i] = disc ? 230 : Math.round(120 + 100 * band)
      rgb[i + 1] = Math.round((255 * x) / WIDTH)
      rgb[i + 2] = x > 420 && y > 260 ? 40 : Math.round((255 * y) / HEIGHT)
    }
  }
  return await sharp(rgb, { raw: { width: WIDTH, height: HEIGHT, channels: 3 } }).png().toBuffer()
}

/** What a re-upload often is: scaled down and recompressed, so no byte and no exact hash survives. */
export async function editedCopy (image: Buffer): Promise<Buffer> {
  return await sharp(image).resize(WIDTH / 2).modulate({ brightness: 1.1 }).jpeg({ quality: 70 }).toBuffer()
}
