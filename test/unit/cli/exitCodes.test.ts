import assert from 'node:assert/strict'
import { CommanderError } from 'commander'
import { ConfigError } from '../../../src/config/configError.js'
import { CliError, NodeResponseError } from '../../../src/cli/errors.js'
import { EXIT, describeError, exitCodeFor } from '../../../src/cli/exitCodes.js'
import { InputError } from '../../../src/cli/input/inputError.js'
import { SignalError } from '../../../src/signals/registry.js'

describe('cli: exit codes', () => {
  const cases: Array<[string, unknown, number]> = [
    ['config error', new ConfigError('INVALID_CONFIG', 'x'), EXIT.USAGE],
    ['bad input line', new InputError('in.csv', 3, 'bad'), EXIT.USAGE],
    ['bad hash typed on the command line', new SignalError('BAD_SIGNAL_VALUE', 'x'), EXIT.USAGE],
    ['commander usage error', new CommanderError(1, 'commander.unknownOption', 'x'), EXIT.USAGE],
    ['--help', new CommanderError(0, 'commander.helpDisplayed', '(outputHelp)'), EXIT.OK],
    ['node unreachable', new CliError('NODE_UNREACHABLE', 'x'), EXIT.UNREACHABLE],
    ['node says 400', new NodeResponseError(400, 'BAD_SIGNAL_VALUE', 'x'), EXIT.USAGE],
    ['node says 401', new NodeResponseError(401, 'UNAUTHORIZED', 'x'), EXIT.USAGE],
    ['node says 414 (a value too long for a URL)', new NodeResponseError(414, 'URL_TOO_LONG', 'x'), EXIT.USAGE],
    ['node says 431 (headers too large)', new NodeResponseError(431, 'HEADERS_TOO_LARGE', 'x'), EXIT.USAGE],
    ['node says 404 (decide: no such equivocation)', new NodeResponseError(404, 'NO_SUCH_EQUIVOCATION', 'x'), EXIT.NOT_FOUND],
    ['node says 500', new NodeResponseError(500, 'INTERNAL', 'x'), EXIT.FAILURE],
    ['incomplete publish takes its cause\'s code', new CliError('PUBLISH_INCOMPLETE', 'x', { cause: new CliError('NODE_UNREACHABLE', 'y') }), EXIT.UNREACHABLE],
    ['anything else', new Error('boom'), EXIT.FAILURE]
  ]
  for (const [name, err, code] of cases) {
    it(`${name} → ${code}`, () => { assert.equal(exitCodeFor(err), code) })
  }

  it('describes a locked store plainly and keeps messages on one line', () => {
    const locked = new Error('Database failed to open',
      { cause: Object.assign(new Error('lock /d/db/LOCK: already held by process'), { code: 'LEVEL_LOCKED' }) })
    assert.equal(describeError(locked).code, 'STORE_LOCKED')
    assert.match(describeError(locked).message, /\/d\/db\/LOCK/)
    assert.deepEqual(describeError(new CliError('USAGE', 'a\n  b')), { code: 'USAGE', message: 'a b' })
  })
})
