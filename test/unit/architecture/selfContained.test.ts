import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'

const run = promisify(execFile)
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..')

/** Spelled in two parts so that this file does not match itself. */
const OUTSIDE = ['\\.\\./', 'shared'].join('')

/**
 * A user's clone has nothing beside it: the material the developers keep next to the project must
 * never be reached for. Checked on a fresh clone of what is committed, as a user would have it.
 */
describe('architecture: a clone of the repository stands alone', function () {
  this.timeout(60_000)
  let clone: string
  before(async () => {
    clone = await mkdtemp(join(tmpdir(), 'hashmesh-clone-'))
    await run('git', ['clone', '--quiet', '--no-hardlinks', ROOT, join(clone, 'repo')])
  })
  after(async () => { await rm(clone, { recursive: true, force: true }) })

  it('no committed file refers to the developers\' shared folder beside the project', async () => {
    const hits = await run('git', ['grep', '-n', '-E', OUTSIDE], { cwd: join(clone, 'repo') }).then(r => r.stdout, (err: unknown) => {
      if ((err as { code?: number }).code === 1) return ''
      throw err
    })
    assert.equal(hits, '', `these lines reach outside the repository:\n${hits}`)
  })

  it('the test fixtures the suite reads are in the clone, with their licence', async () => {
    const { stdout } = await run('git', ['ls-files', 'test/fixtures/pdq-vectors'], { cwd: join(clone, 'repo') })
    const files = stdout.trim().split('\n')
    for (const f of ['LICENSE', 'README.md', 'checksums.tsv', 'expected.tsv', 'expected-core.tsv', 'dihedral.tsv', 'pixels.tsv', 'index/haystack.txt']) {
      assert.ok(files.includes(`test/fixtures/pdq-vectors/${f}`), f)
    }
    assert.ok(files.filter(f => f.includes('/images/')).length >= 40)
  })
})
