import assert from 'node:assert/strict'
import type { EntryRow } from '../../../src/cli/input/entryRow.js'
import { entryWireBytes } from '../../../src/cli/input/entrySize.js'
import { boundedRows } from '../../../src/cli/input/inputBound.js'
import { InputError } from '../../../src/cli/input/inputError.js'

const ROW: EntryRow['entry'] = { type: 'md5', value: 'ab'.repeat(16), labels: ['csam'] }

async function * rows (n: number): AsyncGenerator<EntryRow> {
  for (let i = 0; i < n; i++) yield { line: i + 2, entry: ROW }
}

async function count (n: number, maxEntries: number, maxEntryBytes: number): Promise<number> {
  let seen = 0
  for await (const _row of boundedRows(rows(n), 'in.csv', { maxEntries, maxEntryBytes })) seen++
  return seen
}

describe('cli/input: boundedRows', () => {
  it('passes an input within both bounds whole', async () => {
    assert.equal(await count(5, 5, 5 * entryWireBytes(ROW)), 5)
  })

  it('fails at the first entry past the byte bound, naming its line and a split that fits', async () => {
    await assert.rejects(count(5, 100, 3 * entryWireBytes(ROW)), (err: unknown) => {
      assert.ok(err instanceof InputError)
      assert.equal(err.line, 5)
      assert.match(err.message, /^in\.csv:5: input too large: more than \d+ bytes of encoded entries.*`split -l 3`/)
      return true
    })
  })

  it('fails at the first entry past the entry bound', async () => {
    await assert.rejects(count(5, 4, 1e9), /in\.csv:6: input too large: more than 4 entries/)
  })
})
