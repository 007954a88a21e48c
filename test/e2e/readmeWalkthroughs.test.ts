import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { mkdtemp, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { completion } from '../../src/cli/nodeProcess.js'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..')

/**
 * Every README block marked `<!-- walkthrough: NAME -->` is a promise to a new user, so it is run
 * here exactly as written, with bash from the repository root (where a user runs `npx hashmesh`).
 * HOME and TMPDIR point into a temp dir, so nothing is left in the real home or /tmp.
 */
function walkthroughs (): Map<string, string> {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8')
  const found = new Map<string, string>()
  for (const m of readme.matchAll(/<!-- walkthrough: ([\w-]+) -->\n```sh\n([\s\S]*?)\n```/g)) found.set(m[1]!, m[2]!)
  return found
}

interface Outcome { code: number | null, out: string }

/** Runs the script in its own process group, and kills the group when it ends, so no node it started outlives the test. */
async function runScript (script: string, scratch: string, timeoutMs: number): Promise<Outcome> {
  const child = spawn('bash', ['-eu', '-c', script], {
    cwd: ROOT,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, HOME: scratch, TMPDIR: scratch, CI: 'true' }
  })
  const timer = setTimeout(() => { process.kill(-child.pid!, 'SIGKILL') }, timeoutMs)
  const { code, out, err } = await completion(child)
  clearTimeout(timer)
  try {
    process.kill(-child.pid!, 'SIGKILL')
  } catch {
    // The group is already gone: the script stopped everything it started.
  }
  return { code, out: `${out}\n${err}` }
}

/** What each walk-through must show, beyond finishing with exit 0. */
const EXPECTED: Readonly<Record<string, readonly RegExp[]>> = {
  forum: [
    /^match: md5 d41d8cd98f00b204e9800998ecf8427e$/m,
    /^ {4}publisher [0-9a-f]{64} \(Alpha Platform, member\)$/m,
    /^membership\s+Gamma Small: consume; valid until 2030-12-31T00:00:00\.000Z$/m,
    /^ {2}network from\s+the node running on .*\/alpha$/m,
    /^ {2}written to\s+.*\/alpha\/forum-records\/[0-9a-f]{8}-all-\d+\.revocation$/m,
    /^ {2}submitted\s+ACCEPTED/m
  ],
  'moderation-loop': [
    /^\{"id":"evt_[0-9a-f]{32}","type":"match",.*"contentId":"posts\/1".*"cause":"listed"\}\}$/m,
    /^recorded removed on m_[0-9a-f]{28}$/m,
    /^time from match to action: p50 /m,
    /^recorded: appeal upheld \(not_violating\) on match m_[0-9a-f]{28} of posts\/1$/m,
    /^event unlisted posts\/1 allowlisted$/m,
    /^event appeal posts\/1 upheld$/m,
    /^verified: all \d+ checks passed$/m
  ],
  'read-only-client': [
    /^MATCH: .*upload\.bin/m,
    /^match: md5 d41d8cd98f00b204e9800998ecf8427e$/m,
    /needs the node's admin token and none was found/
  ]
}

describe('README walk-throughs run as written', function () {
  this.timeout(300_000)
  let scratch: string
  beforeEach(async () => { scratch = await mkdtemp(join(tmpdir(), 'hashmesh-readme-')) })
  afterEach(async () => { await rm(scratch, { recursive: true, force: true }) })

  it('the CLI that `npx hashmesh` runs is executable after a build (npm ci runs it; the walk-throughs need it)', async () => {
    const { mode } = await stat(join(ROOT, 'dist', 'cli', 'main.js'))
    assert.equal(mode & 0o111, 0o111)
  })

  it('the README marks the walk-throughs this test knows, and no other', () => {
    assert.deepEqual([...walkthroughs().keys()].sort(), Object.keys(EXPECTED).sort())
  })

  for (const [name, patterns] of Object.entries(EXPECTED)) {
    it(`${name}: exit 0 and the promised output`, async () => {
      const script = walkthroughs().get(name)
      assert.ok(script !== undefined, `no walk-through "${name}" in README.md`)
      const { code, out } = await runScript(script, scratch, 240_000)
      assert.equal(code, 0, out.slice(-4000))
      for (const p of patterns) assert.match(out, p)
    })
  }
})
