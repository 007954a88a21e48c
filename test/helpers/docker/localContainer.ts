import { spawn } from 'node:child_process'
import { chmod, mkdir, symlink, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { type CliRun, completion } from '../../../src/cli/nodeProcess.js'
import { CLI } from './cliContract.js'
import type { Dockerfile } from './dockerfile.js'
import { type ComposeService, ROOT, mounts } from './dockerFiles.js'

/**
 * A compose service's container without Docker: its own root directory in which every mount point
 * is a symlink to the volume's directory (shared by all services, as named volumes are), the image's
 * and the service's environment, and `hashmesh` on PATH as in the image.
 */
export class LocalContainer {
  readonly root: string
  readonly env: Record<string, string>

  private constructor (root: string, env: Record<string, string>) {
    this.root = root
    this.env = env
  }

  static async create (base: string, name: string, service: ComposeService, image: Dockerfile): Promise<LocalContainer> {
    const root = join(base, 'containers', name)
    for (const { volume, path } of mounts(service)) {
      const volumeDir = join(base, 'volumes', volume)
      await mkdir(volumeDir, { recursive: true, mode: 0o700 })
      await mkdir(dirname(join(root, path)), { recursive: true })
      await symlink(volumeDir, join(root, path))
    }
    const bin = join(base, 'bin')
    await mkdir(bin, { recursive: true })
    await writeFile(join(bin, 'hashmesh'), `#!/bin/sh\nexec "${process.execPath}" "${CLI}" "$@"\n`)
    await chmod(join(bin, 'hashmesh'), 0o755)
    const env = { ...image.env, ...service.environment }
    return new LocalContainer(root, { ...env, PATH: `${bin}:${dirname(process.execPath)}:${process.env.PATH ?? ''}` })
  }

  /** A path inside the container, here. */
  path (containerPath: string): string {
    return join(this.root, containerPath)
  }

  /** The environment with the paths in the given variables moved into this container's root. */
  envWithPaths (names: readonly string[]): Record<string, string> {
    const moved = Object.fromEntries(names.filter(n => this.env[n] !== undefined).map(n => [n, this.path(this.env[n]!)]))
    return { ...this.env, ...moved }
  }

  /** Runs an entrypoint script of the image (/app/docker/X.sh is docker/X.sh of the repository) with /bin/sh. */
  async runScript (entrypoint: string, pathVars: readonly string[]): Promise<CliRun> {
    const script = join(ROOT, entrypoint.replace(/^\/app\//, ''))
    return await completion(spawn('/bin/sh', [script], { stdio: ['ignore', 'pipe', 'pipe'], env: this.envWithPaths(pathVars) }))
  }
}
