import { type Node, type ParseError, parseTree, printParseErrorCode } from 'jsonc-parser'
import { ConfigError } from './configError.js'

/**
 * Parses JSON or JSON with comments and trailing commas. Objects are built with own properties
 * only, so a key such as "__proto__" stays a visible (and then rejected) key instead of silently
 * replacing the object's prototype.
 */
export function parseJsonc (text: string, source: string): unknown {
  const errors: ParseError[] = []
  const tree = parseTree(text, errors, { allowTrailingComma: true, disallowComments: false })
  const first = errors[0]
  if (first !== undefined) {
    const { line, column } = lineAndColumn(text, first.offset)
    throw new ConfigError('UNREADABLE_CONFIG', `${source}: ${printParseErrorCode(first.error)} at offset ${first.offset} (line ${line}, column ${column})`)
  }
  if (tree === undefined) throw new ConfigError('UNREADABLE_CONFIG', `${source}: empty`)
  return toValue(tree)
}

function toValue (node: Node): unknown {
  if (node.type === 'array') return (node.children ?? []).map(toValue)
  if (node.type !== 'object') return node.value
  const obj: Record<string, unknown> = {}
  for (const property of node.children ?? []) {
    const [key, value] = property.children ?? []
    if (key === undefined || value === undefined) continue
    Object.defineProperty(obj, String(key.value), { value: toValue(value), enumerable: true, writable: true, configurable: true })
  }
  return obj
}

function lineAndColumn (text: string, offset: number): { line: number, column: number } {
  const before = text.slice(0, offset)
  const lastNewline = before.lastIndexOf('\n')
  return { line: before.split('\n').length, column: offset - lastNewline }
}
