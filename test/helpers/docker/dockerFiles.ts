import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'
import { type Dockerfile, parseDockerfile } from './dockerfile.js'

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url))

export interface ComposeService {
  build?: unknown
  image?: string
  entrypoint?: string[]
  command?: string[]
  environment?: Record<string, string>
  volumes?: string[]
  ports?: string[]
  depends_on?: Record<string, { condition: string }>
  network_mode?: string
}

export interface ComposeFile {
  services: Record<string, ComposeService>
  volumes: Record<string, unknown>
}

export async function readDockerfile (): Promise<Dockerfile> {
  return parseDockerfile(await readFile(`${ROOT}docker/Dockerfile`, 'utf8'))
}

/** With YAML merge keys (`<<: *node`) resolved, as compose resolves them. */
export async function readCompose (): Promise<ComposeFile> {
  return parse(await readFile(`${ROOT}docker/docker-compose.yml`, 'utf8'), { merge: true }) as ComposeFile
}

/** `name:/path[:ro]` as { volume, path }. */
export function mounts (service: ComposeService): Array<{ volume: string, path: string }> {
  return (service.volumes ?? []).map(v => {
    const [volume = '', path = ''] = v.split(':')
    return { volume, path }
  })
}

/** The services that run a node: the image's entrypoint with `start`. */
export function nodeServices (compose: ComposeFile): Array<[string, ComposeService]> {
  return Object.entries(compose.services).filter(([, s]) => s.entrypoint === undefined && s.command?.[0] === 'start')
}

/** The port of HOST:PORT. */
export function portOf (hostPort: string): number {
  return Number(hostPort.slice(hostPort.lastIndexOf(':') + 1))
}

/** Runs the image's HEALTHCHECK command here with HASHMESH_HTTP moved to `port`; resolves its exit code. */
export async function runHealthcheck (image: Dockerfile, port: number): Promise<number> {
  const [program, ...args] = image.healthcheck?.command ?? []
  assert.equal(program, 'node')
  const http = image.env.HASHMESH_HTTP ?? ''
  const env = { ...process.env, ...image.env, HASHMESH_HTTP: `${http.slice(0, http.lastIndexOf(':'))}:${port}` }
  const child = spawn(process.execPath, args, { stdio: 'ignore', env })
  return await new Promise(resolve => child.on('exit', code => { resolve(code ?? -1) }))
}
