import type { EntryInput } from '../../node/interface.js'
import { parseSignalValue } from '../../signals/hex.js'
import { SignalError } from '../../signals/registry.js'
import { LABEL_PATTERN, MAX_LABELS_PER_ENTRY, REASON_PATTERN } from '../../wire/limits.js'
import { ACTION_BY_NAME, type ActionName, isOpinion } from '../../wire/types.js'
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
  reason?: unknown
}

const ACTIONS: readonly string[] = Object.keys(ACTION_BY_NAME)

function checkAction (action: unknown, fail: (reason: string) => never): ActionName {
  if (action === undefined) return 'add'
  if (typeof action !== 'string' || !ACTIONS.includes(action)) fail(`action must be one of ${ACTIONS.join(', ')}; got ${JSON.stringify(action)?.slice(0, 40)}`)
  return action as ActionName
}

/** Opinions only, and a code (not_violating), not prose: the wire's REASON_PATTERN. */
function checkReason (reason: unknown, action: ActionName, fail: (reason: string) => never): string | undefined {
  if (reason === undefined) return undefined
  if (!isOpinion(ACTION_BY_NAME[action])) fail(`only an opinion (confirm, false_positive, dispute, withdraw) carries a reason, not ${action}`)
  if (typeof reason !== 'string' || !REASON_PATTERN.test(reason)) fail('reason must be 1-32 of a-z 0-9 _ . - starting with a letter or digit')
  return reason
}

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
  const action = checkAction(raw.action, fail)
  if (isOpinion(ACTION_BY_NAME[action]) && labels.length > 0) fail(`${action} is an opinion and carries no labels; labels belong to an add`)
  const reason = checkReason(raw.reason, action, fail)
  const entry: EntryInput = { type, value: value.toLowerCase(), labels }
  if (action !== 'add') entry.action = action
  if (reason !== undefined) entry.reason = reason
  return { line, entry }
}
