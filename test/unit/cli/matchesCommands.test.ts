import assert from 'node:assert/strict'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { register as registerAppeal } from '../../../src/cli/commands/appeal.js'
import { register as registerLookup } from '../../../src/cli/commands/lookup.js'
import { register as registerMatch } from '../../../src/cli/commands/match.js'
import { register as registerMatches } from '../../../src/cli/commands/matches.js'
import type { MatchPage, MatchStats } from '../../../src/node/matchesApi.js'
import { NodeServer, type Run, runCommand } from './cliHarness.js'

const TOKEN = 'ba5e'.repeat(16)
const LISTED = 'ab'.repeat(32)
const COMMANDS = [registerAppeal, registerLookup, registerMatch, registerMatches]
const ENV = { USER: 'alice' }

async function hashmesh (...args: string[]): Promise<Run> {
  return await runCommand(COMMANDS, args, ENV)
}

describe('cli: match log and appeals against the HTTP API of a real node', () => {
  let server: NodeServer
  let client: string[]

  beforeEach(async () => {
    server = await NodeServer.start(TOKEN)
    client = ['--node', server.url, '--token', TOKEN]
    await server.node.publish([{ type: 'sha256', value: LISTED, labels: ['csam'] }])
  })
  afterEach(async () => { await server.close() })

  it('lookup --content-id records the match and says where to act on it; matches lists it', async () => {
    const looked = await hashmesh('lookup', 'sha256', LISTED, '--content-id', 'post-1', ...client)
    assert.equal(looked.code, 0)
    const id = /recorded as (m_[0-9a-f]{28})/.exec(looked.out)?.[1]
    assert.notEqual(id, undefined, looked.out)
    const listed = await hashmesh('matches', ...client)
    assert.equal(listed.code, 0, listed.err)
    assert.match(listed.out, new RegExp(`${id}  \\S+  post-1  sha256 ${LISTED}  csam  open`))
    const acted = await hashmesh('matches', 'act', id!, '--action', 'removed', ...client)
    assert.equal(acted.code, 0, acted.err)
    const page = JSON.parse((await hashmesh('matches', 'list', '--status', 'acted', '--json', ...client)).out) as MatchPage
    assert.deepEqual(page.matches.map(m => m.actions.map(a => a.action)), [['removed']])
    const stats = JSON.parse((await hashmesh('matches', 'stats', '--json', ...client)).out) as MatchStats
    assert.equal(stats.acted, 1)
    const human = await hashmesh('matches', 'stats', ...client)
    assert.match(human.out, /not acted on within 24 h: 0/)
  })

  it('matches export writes the file whole', async () => {
    await hashmesh('lookup', 'sha256', LISTED, '--content-id', '=cmd|calc', ...client)
    const out = join(server.dir, 'log.csv')
    const r = await hashmesh('matches', 'export', '--out', out, ...client)
    assert.equal(r.code, 0, r.err)
    const text = await readFile(out, 'utf8')
    assert.match(text, /^id,content_id,/)
    assert.match(text, /,'=cmd\|calc,/)
  })

  it('usage errors exit 2 before any node is asked; an unknown content is exit 1', async () => {
    const file = join(server.dir, 'a.bin')
    await writeFile(file, 'x')
    const cases = [
      ['match', file, file, '--content-id', 'c'],
      ['lookup', 'sha256', LISTED, '--content-id', ''],
      ['matches', 'act', 'm_1', '--action', 'removed'],
      ['matches', 'act', `m_${'0'.repeat(28)}`, '--action', 'deleted'],
      ['matches', 'act', `m_${'0'.repeat(28)}`, '--action', 'kept', '--at', 'tomorrow'],
      ['matches', '--since', '2026-01-01'],
      ['appeal', 'post-1', '--reason', 'not_violating'],
      ['appeal', 'post-1', '--upheld', '--rejected', '--reason', 'x'],
      ['appeal', 'post-1', '--upheld', '--reason', 'Not OK']
    ]
    for (const args of cases) assert.equal((await hashmesh(...args, '--node', 'http://127.0.0.1:9')).code, 2, args.join(' '))
    const unknown = await hashmesh('appeal', 'never', '--upheld', '--reason', 'x', ...client)
    assert.equal(unknown.code, 1)
    assert.match(unknown.err, /NO_MATCH_FOR_CONTENT/)
  })

  it('appeal --rejected records the outcome; --upheld afterwards is refused as decided', async () => {
    await hashmesh('lookup', 'sha256', LISTED, '--content-id', 'post-2', ...client)
    const rejected = await hashmesh('appeal', 'post-2', '--rejected', '--reason', 'violating', ...client)
    assert.equal(rejected.code, 0, rejected.err)
    assert.match(rejected.out, /recorded: appeal rejected \(violating\)/)
    const upheld = await hashmesh('appeal', 'post-2', '--upheld', '--reason', 'x', ...client)
    assert.equal(upheld.code, 1)
    assert.match(upheld.err, /APPEAL_DECIDED/)
  })
})
