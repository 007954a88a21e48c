import assert from 'node:assert/strict'
import { readdir, readFile } from 'node:fs/promises'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../../../src')

/** Lower layers never import upper ones; a folder may import its own rank and below. */
const RANK: Record<string, number> = {
  '.': 0,
  wire: 1,
  signals: 1,
  hashing: 1,
  crypto: 1,
  store: 2,
  index: 2,
  ingest: 3,
  forum: 3,
  lookup: 3,
  events: 3,
  network: 4,
  audit: 4,
  matches: 4,
  watch: 4,
  webhooks: 4,
  evidence: 4,
  node: 5,
  config: 6,
  api: 6,
  cli: 7
}

async function sourceFiles (dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true })
  const nested = await Promise.all(entries.map(async e => {
    if (e.isDirectory()) return await sourceFiles(join(dir, e.name))
    return e.name.endsWith('.ts') ? [join(dir, e.name)] : []
  }))
  return nested.flat()
}

function layerOf (file: string): string {
  const rel = relative(SRC, file)
  return rel.includes('/') ? rel.split('/')[0]! : '.'
}

describe('architecture: src/ layering', function () {
  it('every src folder has a rank', async function () {
    for (const file of await sourceFiles(SRC)) assert.ok(layerOf(file) in RANK, `${relative(SRC, file)} is in a folder with no rank`)
  })

  it('no file imports from a higher layer', async function () {
    const violations: string[] = []
    for (const file of await sourceFiles(SRC)) {
      const text = await readFile(file, 'utf8')
      for (const [, spec] of text.matchAll(/from '(\.[^']+)'/g)) {
        const target = resolve(dirname(file), spec!)
        const from = layerOf(file)
        const to = layerOf(target)
        if (RANK[to]! > RANK[from]!) violations.push(`${relative(SRC, file)} → ${relative(SRC, target)}`)
      }
    }
    assert.deepEqual(violations, [])
  })
})
