import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ConfigError } from '../../../src/config/configError.js'
import { resolveDataDir } from '../../../src/config/dataDirSetting.js'
import { loadConfig } from '../../../src/config/loadConfig.js'

const PEER = '12D3KooWFPQNesWnKqL2SpESimHumJwuWbArqjgxKVNuhzW45g1D'
const KEY_A = 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a'
const EXAMPLE = fileURLToPath(new URL('../../../config/production.example.jsonc', import.meta.url))

async function rejectsWithConfigError (p: Promise<unknown>, code: string): Promise<ConfigError> {
  let caught: unknown
  await p.catch((err: unknown) => { caught = err })
  assert.ok(caught instanceof ConfigError, `expected ConfigError, got ${String(caught)}`)
  assert.equal(caught.code, code)
  return caught
}

describe('config: loadConfig', () => {
  let dir: string
  let file: string

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hashmesh-config-'))
    file = join(dir, 'node.jsonc')
  })
  afterEach(async () => { await rm(dir, { recursive: true, force: true }) })

  async function writeConfig (value: unknown): Promise<void> {
    await writeFile(file, typeof value === 'string' ? value : JSON.stringify(value))
  }

  it('uses config/default.json when nothing else is given', async () => {
    const c = await loadConfig()
    assert.equal(c.node.network, 'hashmesh')
    assert.deepEqual(c.node.listen, ['/ip4/127.0.0.1/tcp/4001'])
    assert.deepEqual(c.http, { host: '127.0.0.1', port: 8080, openReads: false, openMetrics: false })
    assert.equal(c.log.level, 'info')
    assert.equal(c.node.maxClockSkewMs, 600_000)
    assert.equal(c.node.dataDir, resolve('./data'))
  })

  it('takes the match settings from a file, keeping the defaults it leaves out', async () => {
    await writeConfig({ match: { maxUploadBytes: 1024, concurrency: 1 } })
    const c = await loadConfig({ configFile: file })
    assert.equal(c.maxUploadBytes, 1024)
    assert.deepEqual(c.node.uploads, { concurrency: 1, maxWaiting: 8, maxPixels: 50_000_000 })
  })

  it('takes the hooks settings from a file, keeping the defaults it leaves out; the retry window in hours', async () => {
    await writeConfig({ hooks: { concurrency: 8, maxRetryHours: 0.5 } })
    const c = await loadConfig({ configFile: file })
    assert.deepEqual(c.node.hooks, {
      concurrency: 8, timeoutMs: 10_000, retryBaseMs: 1000, retryCapMs: 3_600_000, maxRetryMs: 1_800_000, maxOutboxRows: 200_000, maxDeadRows: 100_000
    })
  })

  it('applies defaults < file < env < flags', async () => {
    await writeConfig({ network: 'from-file', http: { port: 9001 }, trust: [KEY_A] })
    const env = { HASHMESH_NETWORK: 'from-env', HASHMESH_HTTP: '0.0.0.0:9002' }
    const flags = { network: 'from-flag' }

    assert.equal((await loadConfig({ configFile: file, env, flags })).node.network, 'from-flag')
    assert.equal((await loadConfig({ configFile: file, env })).node.network, 'from-env')
    const fileOnly = await loadConfig({ configFile: file })
    assert.equal(fileOnly.node.network, 'from-file')
    assert.deepEqual(fileOnly.http, { host: '127.0.0.1', port: 9001, openReads: false, openMetrics: false }, 'objects merge key by key')
    assert.deepEqual(fileOnly.node.trust, [KEY_A])
    assert.deepEqual((await loadConfig({ configFile: file, env })).http, { host: '0.0.0.0', port: 9002, openReads: false, openMetrics: false })
    assert.deepEqual((await loadConfig({ configFile: file, env, flags: { http: '127.0.0.1:0' } })).http,
      { host: '127.0.0.1', port: 0, openReads: false, openMetrics: false })
    assert.deepEqual((await loadConfig({ configFile: file, env, flags: { http: '127.0.0.1:0', openReads: true } })).http,
      { host: '127.0.0.1', port: 0, openReads: true, openMetrics: false }, '--open-reads keeps --http')
    assert.deepEqual((await loadConfig({ configFile: file, env, flags: { http: '127.0.0.1:0', openMetrics: true } })).http,
      { host: '127.0.0.1', port: 0, openReads: false, openMetrics: true }, '--open-metrics keeps --http')
    assert.deepEqual((await loadConfig({ flags: { openReads: true, openMetrics: true } })).http,
      { host: '127.0.0.1', port: 8080, openReads: true, openMetrics: true }, 'both switches at once')
  })

  it('replaces lists rather than appending', async () => {
    await writeConfig({ listen: ['/ip4/0.0.0.0/tcp/4001', '/ip4/0.0.0.0/tcp/4002'] })
    const c = await loadConfig({ configFile: file, flags: { listen: ['/ip4/127.0.0.1/tcp/0'] } })
    assert.deepEqual(c.node.listen, ['/ip4/127.0.0.1/tcp/0'])
  })

  it('reads every HASHMESH_* variable; lists are comma-separated', async () => {
    const c = await loadConfig({
      env: {
        HASHMESH_DATA: join(dir, 'd'),
        HASHMESH_NETWORK: 'forum-1',
        HASHMESH_LISTEN: '/ip4/127.0.0.1/tcp/1, /ip4/127.0.0.1/tcp/2',
        HASHMESH_ANNOUNCE: '/dns4/node.example/tcp/1',
        HASHMESH_BOOTSTRAP: `/ip4/10.0.0.1/tcp/4001/p2p/${PEER}`,
        HASHMESH_TRUST: KEY_A.toUpperCase(),
        HASHMESH_HTTP: '[::1]:8081',
        HASHMESH_LOG_LEVEL: 'debug'
      }
    })
    assert.equal(c.node.dataDir, join(dir, 'd'))
    assert.equal(c.node.network, 'forum-1')
    assert.deepEqual(c.node.listen, ['/ip4/127.0.0.1/tcp/1', '/ip4/127.0.0.1/tcp/2'])
    assert.deepEqual(c.node.announce, ['/dns4/node.example/tcp/1'])
    assert.deepEqual(c.node.bootstrap, [`/ip4/10.0.0.1/tcp/4001/p2p/${PEER}`])
    assert.deepEqual(c.node.trust, [KEY_A], 'trust keys are lowercased')
    assert.deepEqual(c.http, { host: '::1', port: 8081, openReads: false, openMetrics: false })
    assert.equal(c.log.level, 'debug')
  })

  it('takes forum roots from HASHMESH_FORUM_ROOTS and --forum-root, keeping the file\'s other forum settings', async () => {
    await writeConfig({ forum: { roots: [KEY_A], revokedEntries: 'hide' } })
    const KEY_B = 'b'.repeat(64)
    const fromEnv = await loadConfig({ configFile: file, env: { HASHMESH_FORUM_ROOTS: `${KEY_B.toUpperCase()}, ${KEY_A}` } })
    assert.deepEqual(fromEnv.node.forum, { roots: [KEY_B, KEY_A], revokedEntries: 'hide', overrides: [] })
    const fromFlag = await loadConfig({ configFile: file, env: { HASHMESH_FORUM_ROOTS: KEY_A }, flags: { forumRoots: [KEY_B] } })
    assert.deepEqual(fromFlag.node.forum, { roots: [KEY_B], revokedEntries: 'hide', overrides: [] })
    const cleared = await loadConfig({ configFile: file, env: { HASHMESH_FORUM_ROOTS: '' } })
    assert.deepEqual(cleared.node.forum.roots, [], 'an empty variable clears the list')
  })

  it('takes the config file from HASHMESH_CONFIG when --config is absent', async () => {
    await writeConfig({ network: 'via-env-file' })
    assert.equal((await loadConfig({ env: { HASHMESH_CONFIG: file } })).node.network, 'via-env-file')
  })

  it('accepts JSONC: comments and trailing commas', async () => {
    await writeConfig('// a comment\n{\n  /* block */ "network": "jsonc-net", // trailing\n  "listen": ["/ip4/127.0.0.1/tcp/0",],\n}\n')
    const c = await loadConfig({ configFile: file })
    assert.equal(c.node.network, 'jsonc-net')
    assert.deepEqual(c.node.listen, ['/ip4/127.0.0.1/tcp/0'])
  })

  it('loads the production example', async () => {
    const c = await loadConfig({ configFile: EXAMPLE })
    assert.equal(c.node.dataDir, '/var/lib/hashmesh')
    assert.equal(c.node.bootstrap.length, 2)
    assert.equal(c.http.host, '127.0.0.1')
    assert.deepEqual([c.node.forum.roots.length, c.node.trust, c.node.forum.overrides], [1, [], []],
      'no trust keys beside the roots; the override stays commented out')
  })

  describe('forum.overrides', () => {
    const ROOT = 'ab'.repeat(32)
    const KEY = 'CD'.repeat(32)
    const forum = (overrides: unknown, roots = [ROOT]): Record<string, unknown> => ({ forum: { roots, overrides } })

    it('loads keys with reasons (keys lowercased), and defaults to none', async () => {
      assert.deepEqual((await loadConfig({ configFile: EXAMPLE })).node.forum.overrides, [])
      await writeConfig(forum([{ key: KEY, reason: 'our second node, renewal pending' }]))
      assert.deepEqual((await loadConfig({ configFile: file })).node.forum.overrides, [{ key: KEY.toLowerCase(), reason: 'our second node, renewal pending' }])
    })

    for (const [what, overrides, roots, pattern] of [
      ['a missing reason', [{ key: KEY }], [ROOT], /forum\.overrides\.0\.reason/],
      ['a blank reason', [{ key: KEY, reason: '  ' }], [ROOT], /must say why this key is accepted against the forum/],
      ['a reason too long', [{ key: KEY, reason: 'x'.repeat(501) }], [ROOT], /at most 500 characters/],
      ['a reason with a control character', [{ key: KEY, reason: 'a\u0007b' }], [ROOT], /control characters/],
      ['a malformed key', [{ key: 'cd', reason: 'r' }], [ROOT], /forum\.overrides\.0\.key: must be 64 hex characters/],
      ['an unknown field', [{ key: KEY, reason: 'r', until: '2030' }], [ROOT], /forum\.overrides\.0\.until: unknown key/],
      ['the same key twice', [{ key: KEY, reason: 'r' }, { key: KEY.toLowerCase(), reason: 's' }], [ROOT], /listed twice/],
      ['too many', Array.from({ length: 65 }, (_, i) => ({ key: i.toString(16).padStart(64, '0'), reason: 'r' })), [ROOT], /at most 64 items/],
      ['overrides without roots', [{ key: KEY, reason: 'r' }], [], /only means something against forum roots; without roots list the key in trust/]
    ] as const) {
      it(`refuses ${what}, naming the field`, async () => {
        await writeConfig(forum(overrides, [...roots]))
        const err = await rejectsWithConfigError(loadConfig({ configFile: file }), 'INVALID_CONFIG')
        assert.match(err.message, pattern)
        assert.match(err.message, /forum\.overrides/)
      })
    }
  })

  it('reads a relative dataDir in a config file relative to that file', async () => {
    await writeConfig({ dataDir: 'state' })
    assert.equal((await loadConfig({ configFile: file })).node.dataDir, join(dir, 'state'))
  })

  it('reports a JSON syntax error with its offset', async () => {
    await writeConfig('{\n  "network": "x" "listen": []\n}')
    const err = await rejectsWithConfigError(loadConfig({ configFile: file }), 'UNREADABLE_CONFIG')
    assert.match(err.message, /offset 19 \(line 2, column 18\)/)
    assert.match(err.message, /node\.jsonc/)
  })

  it('reports a missing config file', async () => {
    await rejectsWithConfigError(loadConfig({ configFile: join(dir, 'missing.json') }), 'UNREADABLE_CONFIG')
  })

  it('rejects a config file that is not an object', async () => {
    await writeConfig('[1, 2]')
    await rejectsWithConfigError(loadConfig({ configFile: file }), 'INVALID_CONFIG')
  })

  describe('unknown keys are errors', () => {
    for (const [name, value, path] of [
      ['top-level typo', { netwrok: 'x' }, 'netwrok'],
      ['nested typo', { http: { prot: 1 } }, 'http.prot'],
      ['prototype key', '{ "__proto__": { "network": "sneaky" } }', '__proto__']
    ] as const) {
      it(name, async () => {
        await writeConfig(value)
        const err = await rejectsWithConfigError(loadConfig({ configFile: file }), 'INVALID_CONFIG')
        assert.deepEqual(err.issues.map(i => [i.path, i.source]), [[path, `config file ${file}`]])
        assert.match(err.message, new RegExp(path.replace('.', '\\.')))
      })
    }
  })

  describe('each invalid field is named with its source', () => {
    const cases: Array<[string, Record<string, unknown>, string]> = [
      ['port out of range', { http: { port: 70000 } }, 'http.port'],
      ['port not an integer', { http: { port: 80.5 } }, 'http.port'],
      ['empty host', { http: { host: '' } }, 'http.host'],
      ['network pattern', { network: 'Not A Network' }, 'network'],
      ['listen not a multiaddr', { listen: ['/ip4/127.0.0.1/tcp/1', 'localhost:4001'] }, 'listen.1'],
      ['no listen address', { listen: [] }, 'listen'],
      ['announce not a multiaddr', { announce: ['/ip4/300.0.0.1/tcp/1'] }, 'announce.0'],
      ['bootstrap without a peer id', { bootstrap: ['/ip4/10.0.0.1/tcp/4001'] }, 'bootstrap.0'],
      ['bootstrap with a bad peer id', { bootstrap: ['/ip4/10.0.0.1/tcp/4001/p2p/notapeer'] }, 'bootstrap.0'],
      ['trust key length', { trust: [KEY_A.slice(2)] }, 'trust.0'],
      ['trust key not hex', { trust: ['z'.repeat(64)] }, 'trust.0'],
      ['negative clock skew', { maxClockSkewMs: -1 }, 'maxClockSkewMs'],
      ['log level', { log: { level: 'loud' } }, 'log.level'],
      ['empty dataDir', { dataDir: '' }, 'dataDir'],
      ['upload limit past 256 MiB', { match: { maxUploadBytes: 2 ** 30 } }, 'match.maxUploadBytes'],
      ['zero image pixels', { match: { maxImagePixels: 0 } }, 'match.maxImagePixels'],
      ['hashing concurrency 0', { match: { concurrency: 0 } }, 'match.concurrency'],
      ['negative queue', { match: { maxWaiting: -1 } }, 'match.maxWaiting'],
      ['hook retry cap below its base', { hooks: { retryBaseMs: 5000, retryCapMs: 1000 } }, 'hooks.retryCapMs'],
      ['hook retry window of 0 hours', { hooks: { maxRetryHours: 0 } }, 'hooks.maxRetryHours'],
      ['hook concurrency 0', { hooks: { concurrency: 0 } }, 'hooks.concurrency'],
      ['wrong type', { listen: '/ip4/127.0.0.1/tcp/1' }, 'listen']
    ]
    for (const [name, values, path] of cases) {
      it(name, async () => {
        await writeConfig(values)
        const err = await rejectsWithConfigError(loadConfig({ configFile: file }), 'INVALID_CONFIG')
        assert.deepEqual(err.issues.map(i => i.path), [path])
        assert.equal(err.issues[0]?.source, `config file ${file}`)
        assert.ok(err.message.startsWith(`config file ${file}: ${path}: `), err.message)
      })
    }

    it('quotes the offending value', async () => {
      await writeConfig({ http: { port: 70000 } })
      const err = await rejectsWithConfigError(loadConfig({ configFile: file }), 'INVALID_CONFIG')
      assert.match(err.message, /http\.port: must be 0-65535 \(got 70000\)/)
    })

    it('names every bad field at once', async () => {
      await writeConfig({ network: 'BAD', http: { port: -1 } })
      const err = await rejectsWithConfigError(loadConfig({ configFile: file }), 'INVALID_CONFIG')
      assert.deepEqual(err.issues.map(i => i.path).sort(), ['http.port', 'network'])
    })

    it('names an environment variable as the source', async () => {
      const err = await rejectsWithConfigError(loadConfig({ env: { HASHMESH_HTTP: '127.0.0.1:70000' } }), 'INVALID_CONFIG')
      assert.deepEqual(err.issues.map(i => [i.path, i.source]), [['http.port', 'env HASHMESH_HTTP']])
    })

    it('names a list variable and the index in it', async () => {
      const err = await rejectsWithConfigError(loadConfig({ env: { HASHMESH_TRUST: `${KEY_A},nothex` } }), 'INVALID_CONFIG')
      assert.deepEqual(err.issues.map(i => [i.path, i.source]), [['trust.1', 'env HASHMESH_TRUST']])
    })

    it('names the forum roots variable and flag as the source of a bad root', async () => {
      const env = await rejectsWithConfigError(loadConfig({ env: { HASHMESH_FORUM_ROOTS: `${KEY_A},nothex` } }), 'INVALID_CONFIG')
      assert.deepEqual(env.issues.map(i => [i.path, i.source]), [['forum.roots.1', 'env HASHMESH_FORUM_ROOTS']])
      const flag = await rejectsWithConfigError(loadConfig({ flags: { forumRoots: ['abc'] } }), 'INVALID_CONFIG')
      assert.deepEqual(flag.issues.map(i => [i.path, i.source]), [['forum.roots.0', 'flag --forum-root']])
    })

    it('names a flag as the source', async () => {
      const err = await rejectsWithConfigError(loadConfig({ flags: { logLevel: 'chatty' } }), 'INVALID_CONFIG')
      assert.deepEqual(err.issues.map(i => [i.path, i.source]), [['log.level', 'flag --log-level']])
    })

    it('rejects --http without a port', async () => {
      const err = await rejectsWithConfigError(loadConfig({ flags: { http: 'localhost' } }), 'INVALID_CONFIG')
      assert.deepEqual(err.issues.map(i => [i.path, i.source]), [['http', 'flag --http']])
    })

    it('blames the later layer once it overrides a value', async () => {
      await writeConfig({ network: 'BAD' })
      const err = await rejectsWithConfigError(loadConfig({ configFile: file, flags: { network: 'ALSO BAD' } }), 'INVALID_CONFIG')
      assert.deepEqual(err.issues.map(i => [i.path, i.source]), [['network', 'flag --network']])
    })
  })

  describe('resolveDataDir', () => {
    it('prefers the flag, then HASHMESH_DATA, then the default', async () => {
      assert.equal(await resolveDataDir('x', { HASHMESH_DATA: 'y' }), resolve('x'))
      assert.equal(await resolveDataDir(undefined, { HASHMESH_DATA: 'y' }), resolve('y'))
      assert.equal(await resolveDataDir(undefined, {}), resolve('./data'))
    })
  })
})
