import type { EntryInput } from '../../node/interface.js'
import { parseSignalValue } from '../../signals/hex.js'
import { SignalError } from '../../signals/registry.js'
import { LABEL_PATTERN, MAX_LABELS_PER_ENTRY } from '../../wire/limits.js'
import { InputError } from './inputError.js'

/** One entry of an input file and the line it ends on (for error messages). */
export interface EntryRow {
  line: number
  entry: EntryInput
}

/** A row's fields before checking, as CSV or JSONL gave them. */
export interface RawRow {
  type: unknown
  value: unknown
  labels?: unknown
  action?: unknown
}

const ACTIONS = new Set(['add', 'retract'])

function checkLabels (labels: unknown, fail: (reason: string) => never): string[] {
  if (labels === undefined) return []
  if (!Array.isArray(labels) || !labels.every(l => typeof l === 'string')) fail('labels must be a list of strings')
  if (labels.length > MAX_LABELS_PER_ENTRY) fail(`${labels.length} labels; at most ${MAX_LABELS_PER_ENTRY}`)
  for (const label of labels) {
    if (!LABEL_PATTERN.test(label)) fail(`label ${JSON.stringify(label.slice(0, 80))} must be 1-64 printable ASCII characters without spaces, ';' or ','`)
  }
  return labels
}

/** Checks one row by the rules the node applies, so a bad line is named before anything is sent. */
export function checkRow (raw: RawRow, source: string, line: number): EntryRow {
  const fail = (reason: string): never => { throw new InputError(source, line, reason) }
  if (typeof raw.type !== 'string' || raw.type === '') fail('missing type')
  if (typeof raw.value !== 'string' || raw.value === '') fail('missing value')
  const type = raw.type as string
  const value = raw.value as string
  try {
    parseSignalValue(type, value)
  } catch (err) {
    if (err instanceof SignalError) fail(err.message)
    throw err
  }
  const labels = checkLabels(raw.labels, fail)
  if (raw.action !== undefined && (typeof raw.action !== 'string' || !ACTIONS.has(raw.action))) {
    fail(`action must be "add" or "retract", got ${JSON.stringify(raw.action)}`)
  }
  const entry: EntryInput = { type, value: value.toLowerCase(), labels }
  if (raw.action === 'retract') entry.action = 'retract'
  return { line, entry }
}
