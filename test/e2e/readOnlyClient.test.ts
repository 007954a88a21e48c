import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { demoImage } from '../../src/cli/demoImage.js'
import type { NodeInfo } from '../../src/cli/nodeInfo.js'
import { NodeProcess, runCliProcess as hashmesh } from '../../src/cli/nodeProcess.js'
import { dataDirPaths } from '../../src/node/dataDirPaths.js'

/**
 * An upload service's host: a data dir holding only the node's node.json and read.token, no admin
 * token anywhere; the node (a real process) keeps reads closed, as it does by default.
 */
describe('read-only client: a data dir with only node.json and read.token, against a real node process', function () {
  this.timeout(120_000)
  let base: string
  let node: NodeProcess
  let info: NodeInfo
  let client: string
  let image: string
  let sha256: string

  before(async function () {
    base = await mkdtemp(join(tmpdir(), 'hashmesh-read-client-'))
    node = new NodeProcess(join(base, 'node'), ['--http', '127.0.0.1:0', '--listen', '/ip4/127.0.0.1/tcp/0'])
    info = await node.start()
    image = join(base, 'upload.png')
    const bytes = await demoImage()
    await writeFile(image, bytes)
    sha256 = createHash('sha256').update(bytes).digest('hex')
    const csv = join(base, 'listed.csv')
    await writeFile(csv, `type,value,labels\nsha256,${sha256},e2e\n`)
    const published = await hashmesh(['publish', csv, '--data', node.dataDir])
    assert.equal(published.code, 0, published.err)
    client = join(base, 'client')
    await mkdir(client, { mode: 0o700 })
    const from = dataDirPaths(node.dataDir)
    const to = dataDirPaths(client)
    await copyFile(from.nodeInfo, to.nodeInfo)
    await copyFile(from.readToken, to.readToken)
  })

  after(async function () {
    await node?.stop()
    await rm(base, { recursive: true, force: true })
  })

  it('lookup, match, status and audit hash answer', async function () {
    const lookup = await hashmesh(['lookup', 'sha256', sha256, '--data', client])
    assert.equal(lookup.code, 0, lookup.err)
    assert.match(lookup.out, /^match: sha256 /)
    const match = await hashmesh(['match', image, '--data', client])
    assert.equal(match.code, 0, match.err)
    assert.match(match.out, /^MATCH: .*upload\.png/)
    const status = await hashmesh(['status', '--data', client, '--json'])
    assert.equal(status.code, 0, status.err)
    assert.equal((JSON.parse(status.out) as { publisherKey: string }).publisherKey, info.publisherKey)
    const audit = await hashmesh(['audit', 'hash', 'sha256', sha256, '--data', client, '--json'])
    assert.equal(audit.code, 0, audit.err)
    assert.match(audit.out, new RegExp(info.publisherKey))
  })

  it('equivocations and forum members answer too', async function () {
    assert.equal((await hashmesh(['equivocations', '--data', client])).code, 0)
    assert.equal((await hashmesh(['forum', 'members', '--data', client])).code, 0)
  })

  it('publish fails before sending anything, saying it needs the admin token (exit 2)', async function () {
    const csv = join(base, 'more.csv')
    await writeFile(csv, `type,value\nsha256,${'00'.repeat(32)}\n`)
    const r = await hashmesh(['publish', csv, '--data', client])
    assert.equal(r.code, 2)
    assert.match(r.err, /this command needs the node's admin token and none was found/)
    const given = await hashmesh(['publish', csv, '--node', info.http, '--token-file', dataDirPaths(client).readToken])
    assert.equal(given.code, 2)
    assert.match(given.err, /this command needs the node's admin token; the token from --token-file .*read\.token was refused/)
  })
})
