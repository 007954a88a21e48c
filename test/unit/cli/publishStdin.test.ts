import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { CLI_PATH, completion } from '../../../src/cli/nodeProcess.js'
import { NodeServer } from './cliHarness.js'

const TOKEN = 'c0ffee'.repeat(8)

describe('cli: publish - reads stdin whole before sending (spawns dist/; run `npm run build` first)', function () {
  this.timeout(60_000)
  let server: NodeServer

  beforeEach(async () => { server = await NodeServer.start(TOKEN) })
  afterEach(async () => { await server.close() })

  it('a bad line after three batches\' worth of good ones publishes nothing: exit 2, the line named', async () => {
    const good = Array.from({ length: 30_000 }, (_, i) => `md5,${i.toString(16).padStart(32, '0')},csam`)
    const input = `type,value,labels\n${good.join('\n')}\nmd5,nothex,csam\n`
    const child = spawn(process.execPath, [CLI_PATH, 'publish', '-', '--format', 'csv', '--node', server.url, '--token', TOKEN],
      { stdio: ['pipe', 'pipe', 'pipe'] })
    child.stdin.end(input)
    const r = await completion(child)
    assert.equal(r.code, 2, r.err)
    assert.match(r.err, /stdin:30002: /)
    assert.equal(r.out, '')
    assert.deepEqual((await server.node.status()).publishers, [])
  })
})
