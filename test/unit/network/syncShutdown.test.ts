import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const FIXTURE = fileURLToPath(new URL('./stopMidSync.fixture.ts', import.meta.url))
const ROOT = fileURLToPath(new URL('../../../', import.meta.url))

/**
 * Mocha runs with --exit, so a leaked timer would go unnoticed in-process: a child process must exit
 * by itself. How soon is not the question (libp2p's own close timers take about a second); a child
 * still running when this generous bound ends is hung, and is killed.
 */
const HUNG_AFTER_MS = 50_000

describe('SyncService shutdown', function () {
  this.timeout(HUNG_AFTER_MS + 10_000)

  it('stop() during a sync leaves nothing that keeps the process alive', async function () {
    const child = spawn(process.execPath, ['--import', 'tsx', '--import', './src/polyfill.ts', FIXTURE], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    child.stdout.on('data', (d: Buffer) => { out += d.toString() })
    child.stderr.on('data', (d: Buffer) => { out += d.toString() })
    const code = await new Promise<number | string>(resolve => {
      const timer = setTimeout(() => { child.kill('SIGKILL'); resolve('hung: did not exit by itself') }, HUNG_AFTER_MS)
      child.on('exit', c => { clearTimeout(timer); resolve(c ?? 'killed') })
    })
    assert.equal(code, 0, out)
    assert.match(out, /^stopped: aborted$/m)
  })
})
