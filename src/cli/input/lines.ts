import { StringDecoder } from 'node:string_decoder'
import { InputError } from './inputError.js'

/**
 * Splits a byte stream into lines without holding more than one line: a file with no newline at
 * all fails at `maxChars` instead of filling memory. Line numbers start at 1; a trailing \r is
 * dropped.
 */
export async function * readLines (
  source: AsyncIterable<Buffer | string>, sourceName: string, maxChars: number
): AsyncGenerator<{ line: number, text: string }> {
  const decoder = new StringDecoder('utf8')
  let pending = ''
  let line = 0
  const finish = (text: string): { line: number, text: string } => ({ line: ++line, text: text.endsWith('\r') ? text.slice(0, -1) : text })
  for await (const chunk of source) {
    pending += typeof chunk === 'string' ? chunk : decoder.write(chunk)
    let newline
    while ((newline = pending.indexOf('\n')) !== -1) {
      yield finish(pending.slice(0, newline))
      pending = pending.slice(newline + 1)
    }
    if (pending.length > maxChars) throw new InputError(sourceName, line + 1, `line longer than ${maxChars} characters`)
  }
  pending += decoder.end()
  if (pending !== '') yield finish(pending)
}
