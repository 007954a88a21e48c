import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const FIXTURE = fileURLToPath(new URL('./stopMidSync.fixture.ts', import.meta.url))
const ROOT = fileURLToPath(new URL('../../../', import.meta.url))

/**
 * Mocha runs with --exit, so a leaked timer would go unnoticed in-process: a child process must exit
 * by itself, and soon (libp2p's own close timers take about a second).
 */
const MAX_EXIT_AFTER_STOP_MS = 5_000

describe('SyncService shutdown', function () {
  this.timeout(30_000)

  it('stop() during a sync leaves nothing that keeps the process alive', async function () {
    const child = spawn(process.execPath, ['--import', 'tsx', '--import', './src/polyfill.ts', FIXTURE], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let stoppedAt = Infinity
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString()
      if (out.includes('stopped:')) stoppedAt = Math.min(stoppedAt, Date.now())
    })
    child.stderr.on('data', (d: Buffer) => { out += d.toString() })
    const code = await new Promise<number | string>(resolve => {
      const timer = setTimeout(() => { child.kill('SIGKILL'); resolve('did not exit within 20 s') }, 20_000)
      child.on('exit', c => { clearTimeout(timer); resolve(c ?? 'killed') })
    })
    const exitedAfterMs = Date.now() - stoppedAt
    assert.equal(code, 0, out)
    assert.match(out, /^stopped: aborted$/m)
    assert.ok(exitedAfterMs < MAX_EXIT_AFTER_STOP_MS, `exited ${exitedAfterMs} ms after stopping`)
  })
})
