import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { MAX_TOKEN_CHARS, findToken } from '../../../src/cli/clientToken.js'
import { CliError } from '../../../src/cli/errors.js'
import { locateNode } from '../../../src/cli/nodeLocator.js'
import { type DataDirPaths, dataDirPaths } from '../../../src/node/dataDirPaths.js'

const ADMIN = 'a'.repeat(64)
const READ = 'b'.repeat(64)

async function rejectsUsage (promise: Promise<unknown>, message: RegExp): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof CliError, String(err))
    assert.equal(err.code, 'USAGE')
    assert.match(err.message, message)
    return true
  })
}

describe('cli: the token a client command sends', () => {
  let dir: string
  let paths: DataDirPaths
  const inDir = async (): Promise<DataDirPaths> => paths

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hashmesh-token-'))
    paths = dataDirPaths(dir)
  })
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  async function tokenFile (name: string, text: string, mode = 0o600): Promise<string> {
    const path = join(dir, name)
    await writeFile(path, text, { mode })
    return path
  }

  it('takes --token, then --token-file, then $HASHMESH_TOKEN, then the data dir', async () => {
    await tokenFile('admin.token', `${ADMIN}\n`)
    const file = await tokenFile('given', 'from-file\n')
    const env = { HASHMESH_TOKEN: 'from-env' }
    assert.equal((await findToken({ token: 'from-flag', tokenFile: file }, env, inDir, 'read'))?.token, 'from-flag')
    assert.equal((await findToken({ tokenFile: file }, env, inDir, 'read'))?.token, 'from-file')
    assert.equal((await findToken({}, env, inDir, 'read'))?.token, 'from-env')
    assert.equal((await findToken({}, { HASHMESH_TOKEN: '' }, inDir, 'read'))?.token, ADMIN)
  })

  it('a data dir with only read.token opens reads; a write command does not fall back to it', async () => {
    await tokenFile('read.token', `${READ}\n`)
    assert.deepEqual(await findToken({}, {}, inDir, 'read'), { token: READ, source: paths.readToken })
    assert.equal(await findToken({}, {}, inDir, 'admin'), undefined)
    await rejectsUsage(locateNode({ data: dir, node: 'http://127.0.0.1:1' }, {}, 'admin'),
      /needs the node's admin token .*--token-file FILE or \$HASHMESH_TOKEN/)
  })

  it('prefers admin.token to read.token in the data dir', async () => {
    await tokenFile('read.token', `${READ}\n`)
    await tokenFile('admin.token', `${ADMIN}\n`)
    assert.equal((await findToken({}, {}, inDir, 'read'))?.token, ADMIN)
  })

  it('--token-file may be readable by others (a mounted secret); a data dir token may not', async () => {
    const mounted = await tokenFile('mounted', `${READ}\n`, 0o644)
    assert.equal((await findToken({ tokenFile: mounted }, {}, inDir, 'read'))?.token, READ)
    await tokenFile('read.token', `${READ}\n`, 0o644)
    await assert.rejects(findToken({}, {}, inDir, 'read'), { code: 'INSECURE_PERMISSIONS' })
  })

  it('refuses a token that is too long, spans lines, holds spaces or control characters, or is empty', async () => {
    await rejectsUsage(findToken({ tokenFile: await tokenFile('long', 'x'.repeat(MAX_TOKEN_CHARS + 1)) }, {}, inDir, 'read'), /at most 1024/)
    await rejectsUsage(findToken({ tokenFile: await tokenFile('huge', 'x'.repeat(1 << 20)) }, {}, inDir, 'read'), /at most 1024/)
    await rejectsUsage(findToken({ tokenFile: await tokenFile('two', `${READ}\n${ADMIN}\n`) }, {}, inDir, 'read'), /one line/)
    await rejectsUsage(findToken({ tokenFile: await tokenFile('empty', '') }, {}, inDir, 'read'), /one line/)
    await rejectsUsage(findToken({}, { HASHMESH_TOKEN: 'two words' }, inDir, 'read'), /\$HASHMESH_TOKEN: .*one line of printable ASCII/)
    await rejectsUsage(findToken({ token: 'tab\there' }, {}, inDir, 'read'), /--token: /)
    assert.equal((await findToken({ tokenFile: await tokenFile('max', `${'x'.repeat(MAX_TOKEN_CHARS)}\r\n`) }, {}, inDir, 'read'))?.token.length,
      MAX_TOKEN_CHARS)
  })

  it('a missing --token-file or a directory is a usage error naming the option', async () => {
    await rejectsUsage(findToken({ tokenFile: join(dir, 'missing') }, {}, inDir, 'read'), /--token-file .*missing: ENOENT/)
    await rejectsUsage(findToken({ tokenFile: dir }, {}, inDir, 'read'), /not a regular file/)
  })

  it('looks in the data dir only when it needs to', async () => {
    const untouched = async (): Promise<DataDirPaths> => { throw new Error('data dir resolved') }
    assert.equal((await findToken({}, { HASHMESH_TOKEN: READ }, untouched, 'admin'))?.token, READ)
    const target = await locateNode({ node: 'http://127.0.0.1:1', data: join(dir, 'no-such-dir') }, { HASHMESH_TOKEN: READ }, 'read')
    assert.deepEqual([target.url, target.token, target.tokenSource], ['http://127.0.0.1:1', READ, '$HASHMESH_TOKEN'])
  })
})
