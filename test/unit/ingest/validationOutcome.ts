import assert from 'node:assert/strict'
import { validateBatch, type ValidatorContext } from '../../../src/ingest/batchValidator.js'
import { BatchValidationError } from '../../../src/ingest/validationError.js'

/** What validation made of the bytes, as `accept` or `action:CODE`; any other error fails the test. */
export async function outcome (bytes: Uint8Array, ctx: ValidatorContext): Promise<string> {
  try {
    await validateBatch(bytes, ctx)
    return 'accept'
  } catch (err) {
    assert.ok(err instanceof BatchValidationError, `unexpected error ${String(err)}`)
    return `${err.action}:${err.code}`
  }
}
