/**
 * CLI start-up: whole processes, as an operator or an upload service runs them, in the same run:
 *   - `node -e ''`, the floor every command pays;
 *   - `hashmesh --version`;
 *   - `hashmesh lookup` of a sha256 against a real node this bench starts (temp data dir, port 0);
 *   - `hashmesh hash` of one 640x480 PNG (decode, PDQ and the content hashes).
 * Median and p90 wall-clock ms per command, and each median over the bare node's. The commands run
 * in turns (one of each per round) so that load from elsewhere falls on all of them alike.
 *
 *   npm run bench:cli                       # builds dist/ first; 10 runs of each
 *   CLI_RUNS=30 npm run bench:cli
 *   CLI_PATH=/other/checkout/dist/cli/main.js npm run bench:cli   # time another build of the CLI
 */
import { spawn } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve as resolvePath } from 'node:path'
import { demoImage } from '../src/cli/demoImage.js'
import { CLI_PATH, NodeProcess } from '../src/cli/nodeProcess.js'
import { percentile } from './figures.js'

const RUNS = Number(process.env.CLI_RUNS ?? 10)
if (!Number.isSafeInteger(RUNS) || RUNS < 1) throw new Error(`CLI_RUNS must be a positive integer, got ${process.env.CLI_RUNS}`)
const CLI = resolvePath(process.env.CLI_PATH ?? CLI_PATH)
/** Not listed on the node: lookup answers "not listed", exit 1, after a full round trip. */
const UNLISTED_SHA256 = 'ab'.repeat(32)

interface Case {
  label: string
  args: string[]
  /** The exit codes that mean the command did its job. */
  codes: number[]
}

/** Milliseconds from spawn to exit; a failure stops the bench rather than timing an error path. */
async function timeProcess (c: Case): Promise<number> {
  const start = process.hrtime.bigint()
  const child = spawn(process.execPath, c.args, { stdio: ['ignore', 'ignore', 'pipe'] })
  let err = ''
  child.stderr.on('data', (d: Buffer) => { err += d.toString() })
  const code = await new Promise<number | null>(resolve => child.on('close', resolve))
  const ms = Number(process.hrtime.bigint() - start) / 1e6
  if (code === null || !c.codes.includes(code)) throw new Error(`${c.label} exited ${code}: ${err.trim()}`)
  return ms
}

function median (values: readonly number[]): number {
  return percentile([...values].sort((a, b) => a - b), 0.5)
}

function row (label: string, times: readonly number[], baseline: number): string {
  const sorted = [...times].sort((a, b) => a - b)
  const cells = [percentile(sorted, 0.5).toFixed(0), percentile(sorted, 0.9).toFixed(0), (percentile(sorted, 0.5) / baseline).toFixed(1)]
  return `${label.padEnd(28)}${cells[0]!.padStart(10)}${cells[1]!.padStart(10)}${cells[2]!.padStart(12)}`
}

async function main (): Promise<void> {
  const base = await mkdtemp(join(tmpdir(), 'hashmesh-bench-cli-'))
  const node = new NodeProcess(join(base, 'node'), ['--http', '127.0.0.1:0', '--listen', '/ip4/127.0.0.1/tcp/0'])
  try {
    await node.start()
    const image = join(base, 'image.png')
    await writeFile(image, await demoImage())
    const cases: Case[] = [
      { label: "node -e ''", args: ['-e', ''], codes: [0] },
      { label: 'hashmesh --version', args: [CLI, '--version'], codes: [0] },
      { label: 'hashmesh lookup sha256', args: [CLI, 'lookup', 'sha256', UNLISTED_SHA256, '--data', node.dataDir], codes: [1] },
      { label: 'hashmesh hash IMAGE', args: [CLI, 'hash', image], codes: [0] }
    ]
    const times = cases.map(() => [] as number[])
    // One untimed round: the first spawn of each also pays for the disk cache.
    for (const c of cases) await timeProcess(c)
    for (let r = 0; r < RUNS; r++) {
      for (const [i, c] of cases.entries()) times[i]!.push(await timeProcess(c))
    }
    const baseline = median(times[0]!)
    console.log(`cli: ${RUNS} runs of each, ${CLI}, node ${process.version}\n`)
    console.log(`${'command'.padEnd(28)}${'median ms'.padStart(10)}${'p90 ms'.padStart(10)}${'× node -e'.padStart(12)}`)
    for (const [i, c] of cases.entries()) console.log(row(c.label, times[i]!, baseline))
  } finally {
    await node.stop()
    await rm(base, { recursive: true, force: true })
  }
}

await main()
