import { HashmeshError } from '../errors.js'

/**
 * The one place that knows which hash types exist. `code` is the byte used in store keys:
 * append-only, a retired code is never reused.
 */
export interface SignalType {
  readonly name: string
  readonly code: number
  readonly length: number
}

export const SIGNAL_TYPES: readonly SignalType[] = Object.freeze([
  { name: 'md5', code: 1, length: 16 },
  { name: 'sha1', code: 2, length: 20 },
  { name: 'sha256', code: 3, length: 32 },
  { name: 'pdq', code: 4, length: 32 }
])

const byName = new Map(SIGNAL_TYPES.map(t => [t.name, t]))
const byCode = new Map(SIGNAL_TYPES.map(t => [t.code, t]))

export type SignalErrorCode = 'UNKNOWN_SIGNAL_TYPE' | 'BAD_SIGNAL_VALUE'

export class SignalError extends HashmeshError<SignalErrorCode> {}

export function findSignalType (name: string): SignalType | undefined {
  return byName.get(name)
}

export function signalTypeByCode (code: number): SignalType | undefined {
  return byCode.get(code)
}

export function requireSignalType (name: string): SignalType {
  const type = byName.get(name)
  if (type === undefined) {
    throw new SignalError('UNKNOWN_SIGNAL_TYPE', `unknown signal type "${name.slice(0, 32)}"; known: ${[...byName.keys()].join(', ')}`)
  }
  return type
}
