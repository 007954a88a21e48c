import { extname } from 'node:path'
import { csvEntries } from './csvEntries.js'
import type { EntryRow } from './entryRow.js'
import { jsonlEntries } from './jsonlEntries.js'

export type InputFormat = 'csv' | 'jsonl'

export const INPUT_FORMATS: readonly InputFormat[] = ['csv', 'jsonl']

const BY_EXTENSION: Readonly<Record<string, InputFormat>> = { '.csv': 'csv', '.jsonl': 'jsonl', '.ndjson': 'jsonl' }

export function formatFromPath (path: string): InputFormat | undefined {
  return BY_EXTENSION[extname(path).toLowerCase()]
}

/** JSONL lines start with '{'; a CSV header starts with a column name. */
export function sniffFormat (start: string): InputFormat {
  return start.replace(/^\uFEFF/, '').trimStart().startsWith('{') ? 'jsonl' : 'csv'
}

/** Reads ahead just far enough to see the first non-blank character, then replays what it read. */
async function sniff (source: AsyncIterable<Buffer | string>): Promise<{ format: InputFormat, replay: AsyncIterable<Buffer | string> }> {
  const it = source[Symbol.asyncIterator]()
  const seen: Array<Buffer | string> = []
  let text = ''
  let done = false
  while (!done && text.replace(/^\uFEFF/, '').trim() === '') {
    const next = await it.next()
    if (next.done === true) {
      done = true
    } else {
      seen.push(next.value)
      text += next.value.toString()
    }
  }
  async function * replay (): AsyncGenerator<Buffer | string> {
    yield * seen
    if (done) return
    for (let next = await it.next(); next.done !== true; next = await it.next()) yield next.value
  }
  return { format: sniffFormat(text), replay: replay() }
}

/**
 * The entries of a publish input, checked row by row, streamed. The format is the given one, else
 * the file extension's, else sniffed from the content.
 */
export async function * readEntries (source: AsyncIterable<Buffer | string>, sourceName: string, format?: InputFormat): AsyncGenerator<EntryRow> {
  let chosen = format ?? formatFromPath(sourceName)
  let input = source
  if (chosen === undefined) ({ format: chosen, replay: input } = await sniff(source))
  yield * (chosen === 'jsonl' ? jsonlEntries(input, sourceName) : csvEntries(input, sourceName))
}
