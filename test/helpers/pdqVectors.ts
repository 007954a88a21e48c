import { existsSync, readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..')

/**
 * Meta's PDQ reference vectors (images and the C++ reference's values), vendored with their BSD
 * notice under test/fixtures/pdq-vectors (its README says where each file comes from), so that a
 * clone of this repository runs every test on its own.
 */
export const PDQ_VECTORS = resolve(PROJECT_ROOT, 'test/fixtures/pdq-vectors')

export function vectorPath (...parts: string[]): string {
  if (!existsSync(PDQ_VECTORS)) {
    throw new Error(`PDQ reference vectors not found at ${PDQ_VECTORS}: they are part of the repository (test/fixtures/pdq-vectors)`)
  }
  return join(PDQ_VECTORS, ...parts)
}

/** Rows of a TSV file with a header line, as objects keyed by the header's column names. */
export function readTsv (relativePath: string): Array<Record<string, string>> {
  const [header, ...lines] = readFileSync(vectorPath(relativePath), 'utf8').split('\n').filter(l => l.length > 0)
  const columns = header!.split('\t')
  return lines.map(line => {
    const cells = line.split('\t')
    return Object.fromEntries(columns.map((c, i) => [c, cells[i] ?? '']))
  })
}

/** Non-empty lines of a text file (hash lists: one hex hash per line, numbered from 1 in the expected files). */
export function readLines (relativePath: string): string[] {
  return readFileSync(vectorPath(relativePath), 'utf8').split('\n').map(l => l.trim()).filter(l => l.length > 0)
}
