import assert from 'node:assert/strict'
import fc from 'fast-check'
import { ConfigError } from '../../../src/config/configError.js'
import { DEFAULTS_FILE } from '../../../src/config/defaultsFile.js'
import { resolveConfig } from '../../../src/config/loadConfig.js'
import { parseJsonc } from '../../../src/config/jsonc.js'
import { readFileSync } from 'node:fs'

const defaults = { source: 'defaults', values: parseJsonc(readFileSync(DEFAULTS_FILE, 'utf8'), 'defaults') as Record<string, unknown> }

/** Real keys get deep coverage; random keys exercise the unknown-key path. */
const configKey = fc.oneof(
  fc.constantFrom('dataDir', 'network', 'listen', 'announce', 'bootstrap', 'trust', 'maxClockSkewMs', 'http', 'log', 'host', 'port', 'level', '__proto__'),
  fc.string()
)
const configLike = fc.letrec<{ value: unknown }>(tie => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.jsonValue({ maxDepth: 2 }),
    fc.dictionary(configKey, tie('value'), { maxKeys: 6 }),
    fc.array(tie('value'), { maxLength: 4 })
  )
})).value

function onlyConfigErrors (values: unknown): boolean {
  try {
    resolveConfig([defaults, { source: 'file', values: values as Record<string, unknown> }])
  } catch (err) {
    assert.ok(err instanceof ConfigError, `threw ${String(err)}`)
    assert.equal(err.code, 'INVALID_CONFIG')
    assert.ok(err.issues.length > 0)
  }
  return true
}

describe('config: validator (property)', () => {
  it('throws nothing but ConfigError on arbitrary JSON objects', () => {
    fc.assert(fc.property(fc.dictionary(configKey, configLike, { maxKeys: 8 }), onlyConfigErrors), { numRuns: 1000 })
  })

  it('throws nothing but ConfigError on arbitrary JSON objects parsed from text', () => {
    fc.assert(fc.property(fc.object(), obj => onlyConfigErrors(JSON.parse(JSON.stringify(obj)))), { numRuns: 500 })
  })
})
