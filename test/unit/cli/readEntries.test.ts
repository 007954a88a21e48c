import assert from 'node:assert/strict'
import { splitLabels } from '../../../src/cli/input/csvEntries.js'
import type { EntryRow } from '../../../src/cli/input/entryRow.js'
import { InputError } from '../../../src/cli/input/inputError.js'
import { MAX_INPUT_LINE_CHARS } from '../../../src/cli/input/limits.js'
import { type InputFormat, formatFromPath, readEntries, sniffFormat } from '../../../src/cli/input/readEntries.js'

const MD5 = 'ab'.repeat(16)
const SHA256 = 'cd'.repeat(32)

async function * chunks (text: string, size = 7): AsyncGenerator<Buffer> {
  const bytes = Buffer.from(text)
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size)
}

async function read (text: string, name: string, format?: InputFormat): Promise<EntryRow[]> {
  const rows: EntryRow[] = []
  for await (const row of readEntries(chunks(text), name, format)) rows.push(row)
  return rows
}

async function failsAtLine (text: string, name: string, line: number, pattern?: RegExp): Promise<void> {
  let caught: unknown
  await read(text, name).catch((err: unknown) => { caught = err })
  assert.ok(caught instanceof InputError, `expected InputError, got ${String(caught)}`)
  assert.equal(caught.code, 'BAD_INPUT')
  assert.equal(caught.line, line, caught.message)
  assert.ok(caught.message.startsWith(`${name}:${line}: `), caught.message)
  if (pattern !== undefined) assert.match(caught.message, pattern)
}

describe('cli: publish input', () => {
  describe('CSV', () => {
    it('reads type,value,labels with ;-separated labels and line numbers', async () => {
      const rows = await read(`type,value,labels\nmd5,${MD5.toUpperCase()},csam; tier:1 ;\n\nsha256,${SHA256},\n`, 'in.csv')
      assert.deepEqual(rows, [
        { line: 2, entry: { type: 'md5', value: MD5, labels: ['csam', 'tier:1'] } },
        { line: 4, entry: { type: 'sha256', value: SHA256, labels: [] } }
      ])
    })

    it('reads an optional action column and a header in any order, with a BOM and CRLF', async () => {
      const rows = await read(`\uFEFFaction,value,type\r\nretract,${MD5},md5\r\n,${MD5},md5\r\nadd,${MD5},md5\r\n`, 'in.csv')
      assert.deepEqual(rows.map(r => r.entry.action), ['retract', undefined, undefined])
      assert.deepEqual(rows.map(r => r.line), [2, 3, 4])
    })

    it('accepts a quoted cell', async () => {
      const rows = await read(`type,value,labels\nmd5,${MD5},"a;b"\n`, 'in.csv')
      assert.deepEqual(rows[0]?.entry.labels, ['a', 'b'])
    })

    it('names the line of a bad value', async () => {
      await failsAtLine(`type,value,labels\nmd5,${MD5},\nmd5,${MD5.slice(1)},\nmd5,${MD5},\n`, 'in.csv', 3, /md5 value must be 32 hex characters/)
    })

    it('names the line of an unknown type, a bad label, a bad action', async () => {
      await failsAtLine(`type,value,labels\ncrc32,${MD5},\n`, 'in.csv', 2, /unknown signal type/)
      await failsAtLine(`type,value,labels\nmd5,${MD5},ok\nmd5,${MD5},has space\n`, 'in.csv', 3, /label "has space"/)
      await failsAtLine(`type,value,action\nmd5,${MD5},delete\n`, 'in.csv', 2, /action/)
      await failsAtLine('type,value,labels\nmd5,,x\n', 'in.csv', 2, /missing value/)
    })

    it('reads opinions and their reasons beside adds, blank cells meaning absent', async () => {
      const rows = await read(`type,value,labels,action,reason\nmd5,${MD5},csam,,\nmd5,${MD5},,false_positive,not_violating\nmd5,${MD5},,withdraw,\n`, 'in.csv')
      assert.deepEqual(rows.map(r => r.entry), [
        { type: 'md5', value: MD5, labels: ['csam'] },
        { type: 'md5', value: MD5, labels: [], action: 'false_positive', reason: 'not_violating' },
        { type: 'md5', value: MD5, labels: [], action: 'withdraw' }
      ])
    })

    it('names the line of an opinion with labels, a reason on an add, a reason that is not a code', async () => {
      await failsAtLine(`type,value,labels,action\nmd5,${MD5},csam,confirm\n`, 'in.csv', 2, /confirm is an opinion and carries no labels/)
      await failsAtLine(`type,value,action,reason\nmd5,${MD5},,verified\n`, 'in.csv', 2, /only an opinion .* carries a reason, not add/)
      await failsAtLine(`type,value,action,reason\nmd5,${MD5},dispute,Not OK\n`, 'in.csv', 2, /reason must be/)
    })

    it('names the line with too many labels', async () => {
      const labels = Array.from({ length: 17 }, (_, i) => `l${i}`).join(';')
      await failsAtLine(`type,value,labels\nmd5,${MD5},${labels}\n`, 'in.csv', 2, /17 labels/)
    })

    it('rejects an unknown or missing header column on line 1', async () => {
      await failsAtLine(`type,hash,labels\nmd5,${MD5},\n`, 'in.csv', 1, /unknown column "hash"/)
      await failsAtLine('type,labels\nmd5,x\n', 'in.csv', 1, /no value column/)
      await failsAtLine(`type,value,type\nmd5,${MD5},md5\n`, 'in.csv', 1, /twice/)
    })

    it('names the line of a row with the wrong number of columns', async () => {
      await failsAtLine(`type,value,labels\nmd5,${MD5},\nmd5,${MD5},a,extra\n`, 'in.csv', 3)
    })

    it('rejects an empty file', async () => {
      await failsAtLine('', 'in.csv', 1, /empty/)
    })
  })

  describe('JSONL', () => {
    it('reads one object per line, skipping blank lines', async () => {
      const text = `{"type":"md5","value":"${MD5}","labels":["csam"]}\n\n  \n{"type":"sha256","value":"${SHA256}","action":"retract"}`
      assert.deepEqual(await read(text, 'in.jsonl'), [
        { line: 1, entry: { type: 'md5', value: MD5, labels: ['csam'] } },
        { line: 4, entry: { type: 'sha256', value: SHA256, labels: [], action: 'retract' } }
      ])
    })

    it('reads opinions with reasons; refuses a reason that is not a string', async () => {
      const rows = await read(`{"type":"md5","value":"${MD5}","action":"confirm","reason":"verified"}\n` +
        `{"type":"md5","value":"${MD5}","action":"dispute","labels":[]}\n`, 'in.jsonl')
      assert.deepEqual(rows.map(r => r.entry), [
        { type: 'md5', value: MD5, labels: [], action: 'confirm', reason: 'verified' },
        { type: 'md5', value: MD5, labels: [], action: 'dispute' }
      ])
      await failsAtLine(`{"type":"md5","value":"${MD5}","action":"confirm","reason":5}\n`, 'in.jsonl', 1, /reason must be/)
      await failsAtLine(`{"type":"md5","value":"${MD5}","action":"constructor"}\n`, 'in.jsonl', 1, /action must be one of/)
    })

    it('names the line of invalid JSON, a non-object, an unknown field, a bad value', async () => {
      const ok = `{"type":"md5","value":"${MD5}"}\n`
      await failsAtLine(`${ok}{"type":"md5",\n`, 'in.jsonl', 2, /not valid JSON/)
      await failsAtLine(`${ok}${ok}[1,2]\n`, 'in.ndjson', 3, /expected a JSON object/)
      await failsAtLine(`{"type":"md5","valeu":"${MD5}"}\n`, 'in.jsonl', 1, /unknown field "valeu"/)
      await failsAtLine(`${ok}{"type":"md5","value":"${MD5}","labels":"csam"}\n`, 'in.jsonl', 2, /labels must be a list/)
      await failsAtLine(`${ok}{"type":"sha1","value":"${MD5}"}\n`, 'in.jsonl', 2, /sha1 value must be 40/)
      await failsAtLine(`{"type":5,"value":"${MD5}"}\n`, 'in.jsonl', 1, /missing type/)
    })

    it('refuses a line beyond the bound instead of buffering it', async () => {
      await failsAtLine(`{"type":"md5","value":"${MD5}"}\n{"x":"${'a'.repeat(MAX_INPUT_LINE_CHARS)}`, 'in.jsonl', 2, /longer than/)
    })
  })

  describe('format', () => {
    it('comes from the extension', () => {
      assert.equal(formatFromPath('a/b.CSV'), 'csv')
      assert.equal(formatFromPath('b.jsonl'), 'jsonl')
      assert.equal(formatFromPath('b.ndjson'), 'jsonl')
      assert.equal(formatFromPath('b.txt'), undefined)
    })

    it('is sniffed from the content otherwise', async () => {
      assert.equal(sniffFormat('\uFEFF  \n {"type"'), 'jsonl')
      assert.equal(sniffFormat('type,value'), 'csv')
      const jsonl = await read(`\n\n{"type":"md5","value":"${MD5}"}\n`, 'stdin')
      assert.deepEqual(jsonl.map(r => r.line), [3])
      const csv = await read(`type,value\nmd5,${MD5}\n`, 'stdin')
      assert.deepEqual(csv.map(r => r.entry.value), [MD5])
    })

    it('can be forced', async () => {
      await assert.rejects(read(`{"type":"md5","value":"${MD5}"}\n`, 'in.jsonl', 'csv'), InputError)
    })
  })

  it('splitLabels drops blanks and trims', () => {
    assert.deepEqual(splitLabels(' a ;b;;c; '), ['a', 'b', 'c'])
    assert.deepEqual(splitLabels(''), [])
  })
})
