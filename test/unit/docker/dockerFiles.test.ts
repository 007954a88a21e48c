import assert from 'node:assert/strict'
import { existsSync, readFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { CONFIG_FILE_VAR, envLayer } from '../../../src/config/env.js'
import { loadConfig } from '../../../src/config/loadConfig.js'
import { NODE_SERVER_FLAGS } from '../../../src/cli/nodeProcess.js'
import { cliProblem } from '../../helpers/docker/cliContract.js'
import type { Dockerfile } from '../../helpers/docker/dockerfile.js'
import { type ComposeFile, ROOT, mounts, nodeServices, portOf, readCompose, readDockerfile, runHealthcheck } from '../../helpers/docker/dockerFiles.js'

/** Node release lines in long-term support (not end of life) when this was written: 22 until April 2027, 24 until April 2028. */
const SUPPORTED_LTS_MAJORS = [22, 24]

function enginesFloor (): number {
  const pkg = JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as { engines: { node: string } }
  const m = /^>=\s*(\d+)(\.\d+){0,2}$/.exec(pkg.engines.node)
  assert.ok(m !== null, `engines.node "${pkg.engines.node}" is not ">=MAJOR[.MINOR[.PATCH]]"; teach this test the new form`)
  return Number(m[1])
}

/** The environment a node service's container gets: the image's, then the service's on top. */
function serviceEnv (image: Dockerfile, env: Record<string, string> = {}): Record<string, string> {
  return { ...image.env, ...env }
}

async function serve (status: number, paths: string[]): Promise<Server> {
  const server = createServer((req, res) => {
    paths.push(req.url ?? '')
    res.writeHead(req.url === '/healthz' ? status : 404).end('{}')
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  return server
}

describe('docker files against the CLI contract', function () {
  this.timeout(60_000)
  let image: Dockerfile
  let compose: ComposeFile

  before(async () => {
    image = await readDockerfile()
    compose = await readCompose()
  })

  it('builds and runs on one Node LTS line that package.json engines allows', () => {
    const majors = image.from.map(f => Number(/^node:(\d+)[-.]/.exec(f)?.[1]))
    assert.ok(majors.length > 0 && majors.every(m => m === majors[0]), `every stage on the same node:MAJOR image, got ${image.from.join(', ')}`)
    assert.ok(SUPPORTED_LTS_MAJORS.includes(majors[0]!), `node ${majors[0]} is not a supported LTS line (${SUPPORTED_LTS_MAJORS.join(', ')})`)
    assert.ok(majors[0]! >= enginesFloor(), `node ${majors[0]} is below engines ${enginesFloor()}`)
  })

  it('sets only HASHMESH_* variables that the node reads, with values it accepts', async () => {
    const envs = [image.env, ...Object.values(compose.services).map(s => serviceEnv(image, s.environment))]
    for (const env of envs) {
      const names = Object.keys(env).filter(n => n.startsWith('HASHMESH_'))
      assert.ok(names.length > 0)
      for (const name of names) {
        const read = name === CONFIG_FILE_VAR || Object.keys(envLayer({ [name]: env[name] }).values).length > 0
        assert.ok(read, `${name} is not read by the node (src/config/env.ts)`)
      }
      await loadConfig({ env })
    }
  })

  it('keeps node data on the HASHMESH_DATA volume, one volume per node, also mounted by setup', () => {
    const dataDir = image.env.HASHMESH_DATA
    assert.ok(dataDir !== undefined && image.volumes.includes(dataDir), `VOLUME ${image.volumes.join(', ')} must hold HASHMESH_DATA ${dataDir}`)
    const nodes = nodeServices(compose)
    assert.equal(nodes.length, 3)
    const dataVolumes = nodes.map(([name, s]) => {
      assert.equal(serviceEnv(image, s.environment).HASHMESH_DATA, dataDir, `${name}: HASHMESH_DATA`)
      const data = mounts(s).find(m => m.path === dataDir)
      assert.ok(data !== undefined, `${name} mounts nothing on ${dataDir}`)
      const setup = compose.services.setup!
      assert.ok(mounts(setup).some(m => m.volume === data.volume && m.path === `${setup.environment?.FORUM_NODES_DIR ?? ''}/${name}`),
        `setup must init ${name}'s data volume`)
      return data.volume
    })
    assert.equal(new Set(dataVolumes).size, 3, 'each node its own data volume')
    for (const volume of dataVolumes) assert.ok(volume in compose.volumes, `${volume} is a named volume`)
  })

  it('exposes the ports HASHMESH_LISTEN and HASHMESH_HTTP make the node listen on', () => {
    const tcp = Number(/\/tcp\/(\d+)/.exec(image.env.HASHMESH_LISTEN ?? '')?.[1])
    assert.deepEqual([...image.expose].sort(), [tcp, portOf(image.env.HASHMESH_HTTP ?? '')].sort())
  })

  it('publishes each node\'s HTTP port, and only it, on the host\'s loopback', () => {
    for (const [name, s] of nodeServices(compose)) {
      const httpPort = portOf(serviceEnv(image, s.environment).HASHMESH_HTTP!)
      assert.equal(s.ports?.length, 1, `${name}: one published port`)
      const [hostIp, hostPort, containerPort] = s.ports[0]!.split(':')
      assert.deepEqual([hostIp, Number(containerPort)], ['127.0.0.1', httpPort], `${name}: ${s.ports[0]}`)
      assert.ok(Number(hostPort) > 0)
    }
  })

  it('gives the image only real hashmesh command lines', async () => {
    assert.deepEqual(image.entrypoint, ['node', ...NODE_SERVER_FLAGS, 'dist/cli/main.js'])
    assert.ok(existsSync(`${ROOT}${image.entrypoint.at(-1)!}`), 'the entrypoint is the built CLI (npm run build)')
    const lines = [image.cmd, ...nodeServices(compose).map(([, s]) => s.command!)]
    for (const args of lines) assert.equal(await cliProblem(args), undefined, args.join(' '))
    assert.match(await cliProblem(['start', '--no-such-option']) ?? '', /no option --no-such-option/)
    assert.match(await cliProblem(['no-such-command']) ?? '', /not a command/)
  })

  it('runs one-shot scripts that the image contains, in order: setup, the nodes, then admit', () => {
    for (const name of ['setup', 'admit']) {
      const [script = ''] = compose.services[name]?.entrypoint ?? []
      const inRepo = script.replace(/^\/app\//, '')
      assert.ok(image.workdir === '/app' && script !== inRepo && existsSync(`${ROOT}${inRepo}`),
        `${name}: ${script} is not a file of the repository under /app`)
      assert.ok(image.instructions.some(i => i.keyword === 'COPY' && i.args.split(/\s+/).includes(inRepo)), `${inRepo} is not copied into the image`)
    }
    for (const [name, s] of nodeServices(compose)) assert.deepEqual(s.depends_on?.setup, { condition: 'service_completed_successfully' }, name)
    assert.deepEqual(compose.services.admit?.depends_on?.a, { condition: 'service_healthy' })
  })

  it('health-checks GET /healthz on the HASHMESH_HTTP port, failing on an error or no answer', async () => {
    assert.ok(image.healthcheck !== undefined)
    const paths: string[] = []
    const ok = await serve(200, paths)
    const failing = await serve(503, paths)
    const okPort = (ok.address() as AddressInfo).port
    try {
      assert.equal(await runHealthcheck(image, okPort), 0)
      assert.equal(await runHealthcheck(image, (failing.address() as AddressInfo).port), 1)
      assert.deepEqual(paths, ['/healthz', '/healthz'])
    } finally {
      await new Promise(resolve => ok.close(resolve))
      await new Promise(resolve => failing.close(resolve))
    }
    assert.equal(await runHealthcheck(image, okPort), 1, 'nothing listening')
  })
})
