import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { NodeInfo } from '../../src/cli/nodeInfo.js'
import { NodeProcess, runCliProcess as hashmesh } from '../../src/cli/nodeProcess.js'
import type { EvidenceReport } from '../../src/evidence/evidenceReport.js'

/**
 * The operator's path end to end, through real processes: a node lists a hash and allowlists it,
 * `hashmesh evidence` writes the bundle, and `hashmesh evidence verify` (with no node needed) passes
 * it, then fails it once one byte is changed.
 */
describe('evidence: hashmesh evidence against a real node process, then evidence verify offline', function () {
  this.timeout(120_000)
  let base: string
  let node: NodeProcess
  let info: NodeInfo
  const md5 = randomBytes(16).toString('hex')

  before(async function () {
    base = await mkdtemp(join(tmpdir(), 'hashmesh-evidence-'))
    node = new NodeProcess(join(base, 'node'), ['--http', '127.0.0.1:0', '--listen', '/ip4/127.0.0.1/tcp/0'])
    info = await node.start()
    const csv = join(base, 'listed.csv')
    await writeFile(csv, `type,value,labels\nmd5,${md5},e2e\n`)
    const published = await hashmesh(['publish', csv, '--data', node.dataDir])
    assert.equal(published.code, 0, published.err)
    const allowlisted = await hashmesh(['allowlist', 'add', 'md5', md5, '--note', 'appeal upheld', '--data', node.dataDir])
    assert.equal(allowlisted.code, 0, allowlisted.err)
  })

  after(async function () {
    await node?.stop()
    await rm(base, { recursive: true, force: true })
  })

  it('writes a bundle that verifies with exit 0, and fails with exit 1 after one byte is changed', async function () {
    const file = join(base, 'bundle.json')
    const made = await hashmesh(['evidence', 'md5', md5, '--out', file, '--data', node.dataDir])
    assert.equal(made.code, 0, made.err)
    assert.match(made.out, /^wrote a \d+-byte evidence bundle to /)
    await assert.rejects(stat(`${file}.partial`))
    const ok = await hashmesh(['evidence', 'verify', file, '--node-key', info.publisherKey])
    assert.equal(ok.code, 0, ok.out + ok.err)
    assert.match(ok.out, /^ok {2}\s*node-signature/m)
    assert.match(ok.out, /^verified: all \d+ checks passed$/m)
    const json = await hashmesh(['evidence', 'verify', file, '--json'])
    const report = JSON.parse(json.out) as EvidenceReport
    assert.equal(report.ok, true)
    assert.deepEqual(report.checks.filter(c => c.check === 'audit').map(c => /^(publish|allowlist.add) /.exec(c.message)?.[1]), ['publish', 'allowlist.add'])

    const bytes = await readFile(file)
    const position = bytes.indexOf('"signed":"') + 40
    bytes[position] = bytes[position] === 0x41 ? 0x42 : 0x41
    const altered = join(base, 'altered.json')
    await writeFile(altered, bytes)
    const failed = await hashmesh(['evidence', 'verify', altered])
    assert.equal(failed.code, 1, failed.out + failed.err)
    assert.match(failed.out, /^FAIL {2}\s*node-signature/m)
    assert.match(failed.out, /^FAILED: \d+ of \d+ checks failed$/m)
  })

  it('a bundle of another node than expected fails; a content id with no match is exit 1; a bad subject is a usage error', async function () {
    const file = join(base, 'again.json')
    assert.equal((await hashmesh(['evidence', 'md5', md5, '--out', file, '--data', node.dataDir])).code, 0)
    const other = await hashmesh(['evidence', 'verify', file, '--node-key', 'cd'.repeat(32)])
    assert.equal(other.code, 1)
    const unmatched = await hashmesh(['evidence', 'upload-17', '--out', join(base, 'none.json'), '--data', node.dataDir])
    assert.equal(unmatched.code, 1, unmatched.err)
    assert.match(unmatched.err, /NO_EVIDENCE|no match is recorded/)
    await assert.rejects(stat(join(base, 'none.json')))
    for (const args of [['evidence', 'blake3', md5, '--out', file], ['evidence', 'md5', md5], ['evidence', '--out', file]]) {
      const r = await hashmesh([...args, '--data', node.dataDir])
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.err}`)
    }
  })
})
