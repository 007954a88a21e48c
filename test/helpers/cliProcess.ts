import { spawn } from 'node:child_process'
import { CLI_PATH } from '../../src/cli/nodeProcess.js'

export interface CliRun { code: number | null, out: string, err: string }

/** Runs the compiled `hashmesh ARGS…` as a real process and returns its exit code and output, whatever the code. */
export async function hashmeshProcess (args: string[]): Promise<CliRun> {
  const child = spawn(process.execPath, [CLI_PATH, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  let err = ''
  child.stdout.on('data', (d: Buffer) => { out += d.toString() })
  child.stderr.on('data', (d: Buffer) => { err += d.toString() })
  const code = await new Promise<number | null>(resolve => child.on('close', resolve))
  return { code, out, err }
}
