import { spawn } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'

/** A resolve hook (it runs on the loader thread) that appends every module URL it resolves to a file. */
const HOOKS = `import { appendFileSync } from 'node:fs'
export async function resolve (specifier, context, next) {
  const result = await next(specifier, context)
  appendFileSync(process.env.HASHMESH_TEST_MODULES_FILE, result.url + '\\n')
  return result
}
`

const REGISTER = `import { register } from 'node:module'
register('./hooks.mjs', import.meta.url)
`

export interface RecordedRun {
  code: number | null
  out: string
  err: string
  /** Every module URL the process resolved, builtins (node:…) included, each once. */
  modules: string[]
}

/** Runs `node SCRIPT ARGS…` (in `cwd`, default this one) with the hook loaded first; returns what it printed and imported. */
export async function runRecordingModules (script: string, args: readonly string[], cwd?: string): Promise<RecordedRun> {
  const dir = await mkdtemp(join(tmpdir(), 'hashmesh-modules-'))
  try {
    await writeFile(join(dir, 'hooks.mjs'), HOOKS)
    await writeFile(join(dir, 'register.mjs'), REGISTER)
    const record = join(dir, 'modules.txt')
    await writeFile(record, '')
    const child = spawn(process.execPath, ['--import', pathToFileURL(join(dir, 'register.mjs')).href, script, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      cwd,
      env: { ...process.env, HASHMESH_TEST_MODULES_FILE: record }
    })
    let out = ''
    let err = ''
    child.stdout.on('data', (d: Buffer) => { out += d.toString() })
    child.stderr.on('data', (d: Buffer) => { err += d.toString() })
    const code = await new Promise<number | null>(resolve => child.on('close', resolve))
    const modules = [...new Set((await readFile(record, 'utf8')).split('\n').filter(line => line !== ''))]
    return { code, out, err, modules }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}
