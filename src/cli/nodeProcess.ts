import { spawn, type ChildProcess } from 'node:child_process'
import { readFile, rm } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { dataDirPaths } from '../node/dataDirPaths.js'
import type { NodeInfo } from './nodeInfo.js'

/** The compiled CLI; the same file `npm start` and the `hashmesh` bin run. */
export const CLI_PATH = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url))

const NODE_INFO_POLL_MS = 100

export interface CliRun { code: number | null, out: string, err: string }

/** Waits for a child spawned with piped stdout and stderr to close; its exit code and all it printed. */
export async function completion (child: ChildProcess): Promise<CliRun> {
  let out = ''
  let err = ''
  child.stdout?.on('data', (d: Buffer) => { out += d.toString() })
  child.stderr?.on('data', (d: Buffer) => { err += d.toString() })
  const code = await new Promise<number | null>(resolve => child.on('close', resolve))
  return { code, out, err }
}

/** Runs `hashmesh ARGS…` to completion and returns its exit code and output, whatever the code. */
export async function runCliProcess (args: string[]): Promise<CliRun> {
  return await completion(spawn(process.execPath, [CLI_PATH, ...args], { stdio: ['ignore', 'pipe', 'pipe'] }))
}

/** Runs `hashmesh ARGS…` to completion and returns its stdout; rejects with stderr on a non-zero exit. */
export async function runCli (args: string[]): Promise<string> {
  const { code, out, err } = await runCliProcess(args)
  if (code !== 0) throw new Error(`hashmesh ${args.join(' ')} exited ${code}: ${err.trim()}`)
  return out
}

/**
 * V8 flags every node process runs with (also in main.ts's shebang, `npm start` and the Dockerfile).
 * A 64 MiB young generation: under 50 concurrent 1,000-query lookups, each request's objects live
 * across several scavenges of the default 16 MiB and get promoted; measured, batch lookups ran ~30%
 * faster with this. It is a ceiling, not a reservation: an idle node does not use it.
 */
export const NODE_SERVER_FLAGS = ['--max-semi-space-size=64']

/**
 * A `hashmesh start` child process: a real node, for the demo and for end-to-end tests that are
 * about processes (restart, kill -9). Its JSON log lines are kept for diagnosis.
 */
export class NodeProcess {
  readonly dataDir: string
  readonly args: string[]
  /** Extra environment for the child (HASHMESH_* settings), over this process's own. */
  readonly env: Record<string, string>
  private child: ChildProcess | undefined
  private exited: Promise<number | null> | undefined
  private logTail: string[] = []

  constructor (dataDir: string, args: string[] = [], env: Record<string, string> = {}) {
    this.dataDir = dataDir
    this.args = args
    this.env = env
  }

  /** Starts the node and resolves once it has written node.json (it is then listening). */
  async start (timeoutMs = 20_000): Promise<NodeInfo> {
    const infoPath = dataDirPaths(this.dataDir).nodeInfo
    await rm(infoPath, { force: true })
    const child = spawn(process.execPath, [...NODE_SERVER_FLAGS, CLI_PATH, 'start', '--data', this.dataDir, ...this.args],
      { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...this.env } })
    this.child = child
    this.exited = new Promise(resolve => child.on('exit', resolve))
    const keep = (d: Buffer): void => { this.logTail = [...this.logTail, ...d.toString().split('\n')].slice(-200) }
    child.stdout?.on('data', keep)
    child.stderr?.on('data', keep)
    return await this.waitForInfo(infoPath, timeoutMs)
  }

  /** SIGTERM and wait for a clean exit; returns the exit code. */
  async stop (): Promise<number | null> {
    return await this.signal('SIGTERM')
  }

  /** SIGKILL: no cleanup at all, as a crash or an OOM kill would leave it. */
  async kill (): Promise<number | null> {
    return await this.signal('SIGKILL')
  }

  get running (): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null
  }

  log (): string {
    return this.logTail.join('\n')
  }

  private async signal (sig: NodeJS.Signals): Promise<number | null> {
    if (this.child === undefined || !this.running) return this.child?.exitCode ?? null
    this.child.kill(sig)
    return await this.exited!
  }

  private async waitForInfo (path: string, timeoutMs: number): Promise<NodeInfo> {
    const deadline = Date.now() + timeoutMs
    while (Date.now() < deadline) {
      if (!this.running) throw new Error(`node in ${this.dataDir} exited during start:\n${this.log()}`)
      try {
        return JSON.parse(await readFile(path, 'utf8')) as NodeInfo
      } catch {
        await new Promise(resolve => setTimeout(resolve, NODE_INFO_POLL_MS))
      }
    }
    throw new Error(`node in ${this.dataDir} did not write node.json within ${timeoutMs} ms:\n${this.log()}`)
  }
}
