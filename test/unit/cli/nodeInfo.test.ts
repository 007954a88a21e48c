import assert from 'node:assert/strict'
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CliError } from '../../../src/cli/errors.js'
import { readNodeInfo, removeNodeInfo, writeNodeInfo } from '../../../src/cli/nodeInfo.js'

describe('cli: node.json', () => {
  let dir: string
  beforeEach(async () => { dir = await mkdtemp(join(tmpdir(), 'hashmesh-nodeinfo-')) })
  afterEach(async () => { await rm(dir, { recursive: true, force: true }) })

  const info = { peerId: '12D3KooW', multiaddrs: ['/ip4/127.0.0.1/tcp/1/p2p/12D3KooW'], http: 'http://127.0.0.1:8080', publisherKey: 'ab'.repeat(32) }

  it('round-trips and leaves no temporary file behind', async () => {
    const path = join(dir, 'node.json')
    await writeNodeInfo(path, info)
    await writeNodeInfo(path, { ...info, http: 'http://127.0.0.1:8081' })
    assert.deepEqual(await readNodeInfo(path), { ...info, http: 'http://127.0.0.1:8081' })
    assert.deepEqual(await readdir(dir), ['node.json'])
    await removeNodeInfo(path)
    await removeNodeInfo(path)
    assert.deepEqual(await readdir(dir), [])
  })

  it('a missing or broken file means no reachable node', async () => {
    const path = join(dir, 'node.json')
    await assert.rejects(readNodeInfo(path), (err: unknown) => err instanceof CliError && err.code === 'NODE_UNREACHABLE')
    await writeFile(path, '{"peerId":')
    await assert.rejects(readNodeInfo(path), (err: unknown) => err instanceof CliError && err.code === 'NODE_UNREACHABLE')
    await writeFile(path, '{"peerId":"x"}')
    await assert.rejects(readNodeInfo(path), (err: unknown) => err instanceof CliError && err.code === 'NODE_UNREACHABLE')
  })
})
