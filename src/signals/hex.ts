import { SignalError, requireSignalType, type SignalType } from './registry.js'

const HEX = /^[0-9a-f]*$/

/** Parses a user-supplied hash value: lowercase or uppercase hex, exactly the type's length. */
export function parseSignalValue (typeName: string, hex: string): { type: SignalType, value: Uint8Array } {
  const type = requireSignalType(typeName)
  const normalised = hex.toLowerCase()
  if (normalised.length !== type.length * 2 || !HEX.test(normalised)) {
    throw new SignalError('BAD_SIGNAL_VALUE', `${type.name} value must be ${type.length * 2} hex characters`)
  }
  return { type, value: Buffer.from(normalised, 'hex') }
}

export function toHex (bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex')
}

/** Strict lowercase-or-uppercase hex of an exact byte length; for keys and ids. */
export function parseHexBytes (hex: string, length: number): Uint8Array | undefined {
  const normalised = hex.toLowerCase()
  if (normalised.length !== length * 2 || !HEX.test(normalised)) return undefined
  return Buffer.from(normalised, 'hex')
}
