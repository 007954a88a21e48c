import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Command } from 'commander'
import { COMMANDS } from '../../../src/cli/commandList.js'
import { register as registerLookup } from '../../../src/cli/commands/lookup.js'
import { register as registerMatch } from '../../../src/cli/commands/match.js'
import { register as registerPublish } from '../../../src/cli/commands/publish.js'
import { register as registerStatus } from '../../../src/cli/commands/status.js'
import type { CliContext } from '../../../src/cli/context.js'
import type { Env } from '../../../src/config/env.js'
import type { HashmeshNode } from '../../../src/node/hashmeshNode.js'
import { TEST_READ_TOKEN } from '../api/testServer.js'
import { NodeServer, type Run, runCommand } from './cliHarness.js'
import { errorCode } from './jsonOutput.js'

const ADMIN_TOKEN = 'c0ffee'.repeat(8)
const LISTED_MD5 = 'ab'.repeat(16)
/**
 * Imported, not loaded through COMMANDS: under tsx the tests' imports become require()s, and a
 * command loaded by import() would get its own copies of the error classes.
 */
const COMMANDS_RUN = [registerLookup, registerMatch, registerStatus, registerPublish]

function leaves (command: Command): Command[] {
  return command.commands.length === 0 ? [command] : command.commands.flatMap(leaves)
}

describe('cli: read-only clients (only the read token, as an upload service holds)', () => {
  let server: NodeServer
  let node: HashmeshNode

  async function hashmesh (args: string[], env: Env = {}): Promise<Run> {
    return await runCommand(COMMANDS_RUN, args, env)
  }

  beforeEach(async () => {
    server = await NodeServer.start(ADMIN_TOKEN, { openReads: false, readToken: TEST_READ_TOKEN })
    node = server.node
    await node.publish([{ type: 'md5', value: LISTED_MD5 }])
  })
  afterEach(async () => {
    await server.close()
  })

  it('every command that talks to a node takes --token and --token-file', async () => {
    const program = new Command()
    const ctx = {} as CliContext
    for (const { load } of COMMANDS) (await load())(program, ctx)
    const clients = leaves(program).filter(c => c.options.some(o => o.long === '--node'))
    assert.ok(clients.length >= 18, `only ${clients.length} client commands found`)
    const missing = clients.filter(c => !['--token', '--token-file'].every(flag => c.options.some(o => o.long === flag)))
    assert.deepEqual(missing.map(c => c.name()), [])
  })

  it('match FILE --node URL --token T', async () => {
    const file = join(server.dir, 'upload.txt')
    await writeFile(file, 'an upload')
    const r = await hashmesh(['match', file, '--node', server.url, '--token', TEST_READ_TOKEN])
    assert.equal(r.code, 1, r.err)
    assert.equal(r.out, `not listed: ${file} (not an image: exact hashes only)\n`)
  })

  it('lookup with $HASHMESH_TOKEN; status with a --token-file mounted 0644', async () => {
    const lookup = await hashmesh(['lookup', 'md5', LISTED_MD5, '--node', server.url], { HASHMESH_TOKEN: TEST_READ_TOKEN })
    assert.equal(lookup.code, 0, lookup.err)
    assert.match(lookup.out, /^match: md5 /)
    const file = join(server.dir, 'token')
    await writeFile(file, `${TEST_READ_TOKEN}\n`, { mode: 0o644 })
    const status = await hashmesh(['status', '--node', server.url, '--token-file', file, '--json'])
    assert.equal(status.code, 0, status.err)
    assert.equal((JSON.parse(status.out) as { peerId: string }).peerId, (await node.status()).peerId)
  })

  it('a refused read names where the token came from and how to pass one (exit 2)', async () => {
    const none = await hashmesh(['lookup', 'md5', LISTED_MD5, '--node', server.url, '--data', server.dir])
    assert.equal(none.code, 2)
    assert.match(none.err, /the node needs a token for reads; no token was sent: pass the node's read token \(DIR\/read\.token\)/)
    const wrong = await hashmesh(['lookup', 'md5', LISTED_MD5, '--node', server.url], { HASHMESH_TOKEN: 'wrong' })
    assert.equal(wrong.code, 2)
    assert.match(wrong.err, /the token from \$HASHMESH_TOKEN was refused/)
  })

  it('publish with only the read token fails, saying it needs the admin token (exit 2), and publishes nothing', async () => {
    const file = join(server.dir, 'in.csv')
    await writeFile(file, `type,value\nmd5,${LISTED_MD5}\n`)
    const given = await hashmesh(['publish', file, '--node', server.url, '--token', TEST_READ_TOKEN, '--json'])
    assert.equal(given.code, 2)
    assert.match(given.err, /this command needs the node's admin token; the token from --token was refused \(a read token only opens lookups and reports\)/)
    assert.equal(errorCode(given.out), 'UNAUTHORIZED')
    await writeFile(join(server.dir, 'read.token'), `${TEST_READ_TOKEN}\n`, { mode: 0o600 })
    const fromDir = await hashmesh(['publish', file, '--node', server.url, '--data', server.dir])
    assert.equal(fromDir.code, 2)
    assert.match(fromDir.err, new RegExp(/needs the node's admin token and none was found \(no readable .*admin\.token\); /.source +
      /pass the node's --data DIR, or its DIR\/admin\.token with --token-file FILE or \$HASHMESH_TOKEN/.source))
    assert.equal((await node.lookup('md5', LISTED_MD5)).matches.length, 1, 'only the batch published before')
  })
})
