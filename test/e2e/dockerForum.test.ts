import assert from 'node:assert/strict'
import { mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { NodeProcess, runCli } from '../../src/cli/nodeProcess.js'
import type { HashmeshConfig } from '../../src/config/validate.js'
import { loadConfig } from '../../src/config/loadConfig.js'
import type { ForumInfo } from '../../src/node/forumApi.js'
import type { Dockerfile } from '../helpers/docker/dockerfile.js'
import { type ComposeFile, nodeServices, portOf, readCompose, readDockerfile, runHealthcheck } from '../helpers/docker/dockerFiles.js'
import { type CliRun } from '../../src/cli/nodeProcess.js'
import { LocalContainer } from '../helpers/docker/localContainer.js'

/** The variables of the one-shot services that hold container paths. */
const PATH_VARS = ['FORUM_ROOT_DIR', 'FORUM_NODES_DIR', 'FORUM_CONFIG_DIR']

function ok (run: CliRun, what: string): string {
  assert.equal(run.code, 0, `${what}: ${run.err}${run.out}`)
  return run.out
}

async function filesUnder (dir: string): Promise<Record<string, string>> {
  const names = (await readdir(dir, { recursive: true, withFileTypes: true })).filter(d => d.isFile())
  const read = async (path: string): Promise<[string, string]> => [path, await readFile(path, 'utf8')]
  return Object.fromEntries(await Promise.all(names.map(async d => await read(join(d.parentPath, d.name)))))
}

/**
 * docker-compose.yml's forum without Docker: each service's scripts and commands run here, with its
 * volumes and environment, so the setup and admit scripts and the configs they write meet the real
 * CLI and node.
 */
describe('docker compose forum, run without Docker (real CLI processes and node)', function () {
  this.timeout(120_000)
  let base: string
  let image: Dockerfile
  let compose: ComposeFile
  const containers: Record<string, LocalContainer> = {}
  const configs: Record<string, HashmeshConfig> = {}
  let nodeA: NodeProcess | undefined

  before(async () => {
    base = await mkdtemp(join(tmpdir(), 'hashmesh-docker-'))
    image = await readDockerfile()
    compose = await readCompose()
    for (const [name, service] of Object.entries(compose.services)) containers[name] = await LocalContainer.create(base, name, service, image)
    ok(await containers.setup!.runScript(compose.services.setup!.entrypoint![0]!, PATH_VARS), 'setup')
    for (const [name, service] of nodeServices(compose)) {
      const configFile = service.command![service.command!.indexOf('--config') + 1]!
      configs[name] = await loadConfig({ configFile: containers[name]!.path(configFile), env: containers[name]!.env })
    }
  })

  after(async () => {
    await nodeA?.stop()
    await rm(base, { recursive: true, force: true })
  })

  it('setup writes configs the node accepts, listening where the image exposes and compose publishes', async () => {
    for (const [name, service] of nodeServices(compose)) {
      const config = configs[name]!
      const withoutEnv = await loadConfig({ configFile: containers[name]!.path(service.command![2]!) })
      assert.deepEqual([withoutEnv.node.listen, withoutEnv.http], [config.node.listen, config.http],
        `${name}: the config file alone listens where the image's environment says`)
      assert.equal(config.node.dataDir, image.env.HASHMESH_DATA)
      assert.equal(config.http.port, portOf(service.ports![0]!))
      assert.ok(image.expose.includes(config.http.port))
      assert.ok(config.node.listen.every(l => image.expose.includes(Number(/\/tcp\/(\d+)/.exec(l)?.[1]))), `${name}: ${config.node.listen.join(' ')}`)
    }
  })

  it('setup puts every node in one forum, under the root it created off the nodes\' volumes, in a line a <- b <- c', async () => {
    const rootDir = containers.setup!.path(compose.services.setup!.environment!.FORUM_ROOT_DIR!)
    assert.equal((await stat(join(rootDir, 'forum-root.key'))).mode & 0o777, 0o600)
    const root = (await readFile(join(rootDir, 'forum-root.pub'), 'utf8')).trim()
    const peerId = async (name: string): Promise<string> => {
      return (JSON.parse(await runCli(['init', '--data', containers[name]!.path('/data'), '--json'])) as { peerId: string }).peerId
    }
    const network = compose.services.setup!.environment!.FORUM_NETWORK
    assert.deepEqual(Object.values(configs).map(c => [c.node.network, c.node.forum.roots]), Object.values(configs).map(() => [network, [root]]))
    assert.deepEqual(configs.a!.node.bootstrap, [])
    assert.deepEqual(configs.b!.node.bootstrap, [`/dns4/a/tcp/4001/p2p/${await peerId('a')}`])
    assert.deepEqual(configs.c!.node.bootstrap, [`/dns4/b/tcp/4001/p2p/${await peerId('b')}`])
    for (const [name] of nodeServices(compose)) {
      assert.deepEqual((await readdir(containers[name]!.path('/data'))).filter(f => f.includes('forum-root')), [], `${name}'s volume holds no root key`)
    }
  })

  it('node a starts on its config, answers the image\'s healthcheck, and admit makes all three members', async () => {
    const a = containers.a!
    const env: Record<string, string> = { ...a.envWithPaths(['HASHMESH_DATA']), HASHMESH_LISTEN: '/ip4/127.0.0.1/tcp/0', HASHMESH_HTTP: '127.0.0.1:0' }
    const args = compose.services.a!.command!.slice(1).map(arg => arg.startsWith('/') ? a.path(arg) : arg)
    nodeA = new NodeProcess(env.HASHMESH_DATA!, args, env)
    const info = await nodeA.start()
    assert.equal(await runHealthcheck(image, Number(new URL(info.http).port)), 0)

    ok(await containers.admit!.runScript(compose.services.admit!.entrypoint![0]!, PATH_VARS), 'admit')
    const forum = JSON.parse(await runCli(['forum', 'members', '--data', env.HASHMESH_DATA!, '--json'])) as ForumInfo
    const publisherKey = async (n: string): Promise<string> => {
      return (JSON.parse(await readFile(containers.setup!.path(`/config/${n}.init.json`), 'utf8')) as { publisherKey: string }).publisherKey
    }
    const publishers = await Promise.all(['a', 'b', 'c'].map(publisherKey))
    assert.deepEqual(forum.members.map(m => [m.publisher, m.status, m.roles]).sort(),
      publishers.map(p => [p, 'active', ['publish', 'opine', 'consume']]).sort())
  })

  it('setup and admit do nothing on a second run', async () => {
    // What the running node writes to its LevelDB is its business, not the scripts'.
    const liveDb = join(base, 'volumes', 'a-data', 'db')
    const files = async (): Promise<Record<string, string>> => {
      return Object.fromEntries(Object.entries(await filesUnder(join(base, 'volumes'))).filter(([p]) => !p.startsWith(liveDb)))
    }
    const before = await files()
    assert.match(ok(await containers.setup!.runScript(compose.services.setup!.entrypoint![0]!, PATH_VARS), 'setup again'), /nothing to do/)
    assert.match(ok(await containers.admit!.runScript(compose.services.admit!.entrypoint![0]!, PATH_VARS), 'admit again'), /nothing to do/)
    assert.deepEqual(await files(), before)
  })
})
