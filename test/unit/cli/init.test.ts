import assert from 'node:assert/strict'
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { register as registerInit } from '../../../src/cli/commands/init.js'
import { runCommand } from './cliHarness.js'

const ROOT = 'ab'.repeat(32)

describe('cli: init', () => {
  let dir: string
  beforeEach(async () => { dir = await mkdtemp(join(tmpdir(), 'hashmesh-init-')) })
  afterEach(async () => { await rm(dir, { recursive: true, force: true }) })

  it('creates the keys and tokens; without forum roots it tells members to trust the key', async () => {
    const r = await runCommand([registerInit], ['init', '--data', join(dir, 'data')])
    assert.equal(r.code, 0, r.err)
    assert.deepEqual((await readdir(join(dir, 'data'))).filter(f => !f.startsWith('db')).sort(), ['admin.token', 'peer.key', 'publisher.key', 'read.token'])
    assert.match(r.out, /their --trust/)
    assert.doesNotMatch(r.out, /forum admit/)
  })

  it('with forum roots (flag, variable or config) it tells the member to be admitted and join, not to be trusted', async () => {
    for (const [args, env] of [[['--forum-root', ROOT], {}], [[], { HASHMESH_FORUM_ROOTS: ROOT }]] as const) {
      const r = await runCommand([registerInit], ['init', '--data', join(dir, 'data'), ...args], env)
      assert.equal(r.code, 0, r.err)
      assert.match(r.out, /Send the publisher key to the forum's operator to be admitted/)
      assert.match(r.out, /hashmesh join FILE/)
      assert.doesNotMatch(r.out, /--trust/)
    }
  })

  it('exit 2 for a bad forum root, naming it', async () => {
    const r = await runCommand([registerInit], ['init', '--data', join(dir, 'data'), '--forum-root', 'nothex'])
    assert.equal(r.code, 2)
    assert.match(r.err, /flag --forum-root: forum\.roots\.0/)
  })
})
