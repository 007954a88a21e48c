import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { writeFile } from 'node:fs/promises'
import { hostname } from 'node:os'
import { join } from 'node:path'
import { register as registerAllowlist } from '../../../src/cli/commands/allowlist.js'
import { register as registerLookup } from '../../../src/cli/commands/lookup.js'
import { register as registerMatch } from '../../../src/cli/commands/match.js'
import { register as registerOpine } from '../../../src/cli/commands/opine.js'
import { register as registerPublish } from '../../../src/cli/commands/publish.js'
import type { HashmeshNode } from '../../../src/node/hashmeshNode.js'
import { NodeServer, type Run, runCommand } from './cliHarness.js'
import { errorCode } from './jsonOutput.js'

const TOKEN = 'ba5e'.repeat(16)
const LISTED_MD5 = 'ab'.repeat(16)
const COMMANDS = [registerOpine, registerAllowlist, registerPublish, registerLookup, registerMatch]
const ENV = { USER: 'alice' }

async function hashmesh (...args: string[]): Promise<Run> {
  return await runCommand(COMMANDS, args, ENV)
}

describe('cli: opinions, allowlist and verdicts against the HTTP API of a real node', () => {
  let server: NodeServer
  let node: HashmeshNode
  let url: string
  let dir: string

  /** What the node stored for a hash, row by row: batch seq, action, reason, labels. */
  async function stored (type: string, value: string): Promise<unknown[]> {
    return (await node.lookup(type, value)).matches.map(m => [m.seq, m.action, m.reason, m.labels])
  }

  /** Who the node's audit log records for each allowlist edit, in order. */
  async function allowlistEditors (): Promise<string[]> {
    return (await node.auditLog({})).records.filter(r => r.action.startsWith('allowlist.')).map(r => r.actor)
  }

  beforeEach(async () => {
    server = await NodeServer.start(TOKEN)
    ;({ node, url, dir } = server)
  })
  afterEach(async () => {
    await server.close()
  })

  describe('opine', () => {
    it('publishes a one-entry batch with the opinion and its reason', async () => {
      const r = await hashmesh('opine', 'md5', LISTED_MD5.toUpperCase(), 'false_positive', '--reason', 'not_violating', '--node', url, '--token', TOKEN)
      assert.equal(r.code, 0, r.err)
      assert.deepEqual(await stored('md5', LISTED_MD5), [[1, 'false_positive', 'not_violating', []]])
      assert.match(r.out, new RegExp(`^false_positive \\(not_violating\\): md5 ${LISTED_MD5}$`, 'm'))
      const [row] = (await node.lookup('md5', LISTED_MD5)).matches
      assert.match(r.out, new RegExp(`^ {2}batch ${row!.batchId} seq 1, sent to 0 peer\\(s\\)`, 'm'))
    })

    it('--json prints the PublishResult; withdraw needs no reason', async () => {
      const r = await hashmesh('opine', 'md5', LISTED_MD5, 'withdraw', '--node', url, '--token', TOKEN, '--json')
      assert.equal(r.code, 0, r.err)
      const [row] = (await node.lookup('md5', LISTED_MD5)).matches
      assert.deepEqual(JSON.parse(r.out), { batchId: row!.batchId, seq: 1, entries: 1, recipients: 0 })
      assert.deepEqual(await stored('md5', LISTED_MD5), [[1, 'withdraw', undefined, []]])
    })

    it('exit 2 before contacting any node for a bad opinion, reason or value; and without a token', async () => {
      const nowhere = 'http://127.0.0.1:1'
      for (const args of [
        ['md5', LISTED_MD5, 'add'],
        ['md5', LISTED_MD5, 'confirm', '--reason', 'Not OK'],
        ['md5', 'xyz', 'confirm'],
        ['crc32', LISTED_MD5, 'dispute']
      ]) {
        const r = await hashmesh('opine', ...args, '--node', nowhere, '--token', TOKEN)
        assert.equal(r.code, 2, args.join(' '))
      }
      assert.equal((await hashmesh('opine', 'md5', LISTED_MD5, 'confirm', '--node', url, '--data', dir)).code, 2)
      assert.deepEqual(await stored('md5', LISTED_MD5), [])
    })
  })

  describe('allowlist', () => {
    it('add, list, remove; the author defaults to $USER@hostname and the actor is sent', async () => {
      const added = await hashmesh('allowlist', 'add', 'md5', LISTED_MD5, '--note', 'stock photo', '--node', url, '--token', TOKEN)
      assert.equal(added.code, 0, added.err)
      const [item] = await node.allowlist()
      assert.match(added.out, new RegExp(`^allowlisted: md5 ${LISTED_MD5} {2}${item!.addedAt} {2}alice@${hostname()}: stock photo$`, 'm'))
      assert.equal(item!.author, `alice@${hostname()}`)
      assert.deepEqual(await allowlistEditors(), [`alice@${hostname()}`])
      const listed = await hashmesh('allowlist', 'list', '--node', url, '--token', TOKEN, '--json')
      assert.deepEqual((JSON.parse(listed.out) as { allowlist: Array<{ value: string }> }).allowlist.map(i => i.value), [LISTED_MD5])
      const removed = await hashmesh('allowlist', 'remove', 'md5', LISTED_MD5, '--node', url, '--token', TOKEN)
      assert.equal(removed.code, 0, removed.err)
      assert.equal(removed.out, `removed from the allowlist: md5 ${LISTED_MD5}\n`)
      assert.equal((await hashmesh('allowlist', 'list', '--node', url, '--token', TOKEN)).out, 'none\n')
    })

    it('--author names someone else; exit 1 removing a hash that is not allowlisted', async () => {
      const r = await hashmesh('allowlist', 'add', 'md5', LISTED_MD5, '--note', 'meme', '--author', 'T&S team', '--node', url, '--token', TOKEN, '--json')
      assert.equal(r.code, 0, r.err)
      assert.equal((JSON.parse(r.out) as { author: string }).author, 'T&S team')
      const absent = await hashmesh('allowlist', 'remove', 'sha1', '00'.repeat(20), '--node', url, '--token', TOKEN, '--json')
      assert.equal(absent.code, 1)
      assert.equal(errorCode(absent.out), 'NOT_FOUND')
    })

    it('exit 2 without --note, for a bad note, value or token, before changing anything', async () => {
      await writeFile(join(dir, 'admin.token'), 'not-the-token\n', { mode: 0o600 })
      for (const args of [
        ['add', 'md5', LISTED_MD5, '--token', TOKEN],
        ['add', 'md5', LISTED_MD5, '--note', '', '--token', TOKEN],
        ['add', 'md5', LISTED_MD5, '--note', 'two\nlines', '--token', TOKEN],
        ['add', 'md5', 'xyz', '--note', 'n', '--token', TOKEN],
        ['add', 'md5', LISTED_MD5, '--note', 'n', '--data', dir],
        ['list', '--data', dir]
      ]) {
        const r = await hashmesh('allowlist', ...args, '--node', url)
        assert.equal(r.code, 2, args.join(' '))
      }
      assert.deepEqual(await node.allowlist(), [])
    })
  })

  describe('verdicts decide the exit codes', () => {
    it('lookup exits 1 for a listed hash the allowlist stops, 0 again once it is removed', async () => {
      await node.publish([{ type: 'md5', value: LISTED_MD5, labels: ['csam'] }])
      await node.allowlistAdd({ type: 'md5', value: LISTED_MD5, note: 'meme', author: 'ops' }, 'ops')
      assert.equal((await hashmesh('lookup', 'md5', LISTED_MD5, '--node', url)).code, 1)
      await node.allowlistRemove('md5', LISTED_MD5, 'ops')
      assert.equal((await hashmesh('lookup', 'md5', LISTED_MD5, '--node', url)).code, 0)
    })

    it('match exits 1 for a file whose listed hash is allowlisted, saying listed but no match', async () => {
      const file = join(dir, 'upload.bin')
      await writeFile(file, 'some upload')
      const md5 = createHash('md5').update('some upload').digest('hex')
      await node.publish([{ type: 'md5', value: md5, labels: ['csam'] }])
      await node.allowlistAdd({ type: 'md5', value: md5, note: 'meme', author: 'ops' }, 'ops')
      const matched = await hashmesh('match', file, '--node', url)
      assert.equal(matched.code, 1)
      assert.match(matched.out, /^listed, no match: .*upload\.bin/m)
      await node.allowlistRemove('md5', md5, 'ops')
      const again = await hashmesh('match', file, '--node', url, '--json')
      assert.equal(again.code, 0)
      const [doc] = JSON.parse(again.out) as [{ listed: boolean, match: boolean }]
      assert.deepEqual([doc.listed, doc.match], [true, true])
      assert.match((await hashmesh('match', file, '--node', url)).out, /^MATCH: .*upload\.bin/m)
    })
  })

  describe('publish with opinions', () => {
    it('a CSV with action and reason columns publishes opinions beside adds', async () => {
      const file = join(dir, 'in.csv')
      await writeFile(file, `type,value,labels,action,reason\nmd5,${LISTED_MD5},csam,,\nsha1,${'00'.repeat(20)},,confirm,verified\n`)
      const r = await hashmesh('publish', file, '--node', url, '--token', TOKEN)
      assert.equal(r.code, 0, r.err)
      assert.deepEqual(await stored('md5', LISTED_MD5), [[1, 'add', undefined, ['csam']]])
      assert.deepEqual(await stored('sha1', '00'.repeat(20)), [[1, 'confirm', 'verified', []]])
    })
  })
})
