/**
 * Just enough of a Dockerfile parser to check the image against the CLI's contract: instructions
 * with their continuation lines joined, exec-form (JSON) arguments, ENV pairs and HEALTHCHECK flags.
 */
export interface Instruction {
  keyword: string
  args: string
}

export interface Healthcheck {
  flags: Record<string, string>
  command: string[]
}

export interface Dockerfile {
  instructions: Instruction[]
  from: string[]
  env: Record<string, string>
  expose: number[]
  volumes: string[]
  workdir: string | undefined
  healthcheck: Healthcheck | undefined
  entrypoint: string[]
  cmd: string[]
}

function instructions (text: string): Instruction[] {
  const out: Instruction[] = []
  let pending = ''
  for (const raw of text.split('\n')) {
    const line = raw.trim()
    if (line.startsWith('#') || (line === '' && pending === '')) continue
    pending += `${line.replace(/\\$/, '')} `
    if (line.endsWith('\\')) continue
    const m = /^(\S+)\s*(.*)$/s.exec(pending.trim())
    if (m !== null) out.push({ keyword: m[1]!.toUpperCase(), args: m[2]!.trim() })
    pending = ''
  }
  return out
}

/** Exec form only: the shell form would run through /bin/sh, which the checks do not model. */
function execForm (args: string, keyword: string): string[] {
  const value: unknown = JSON.parse(args)
  if (!Array.isArray(value) || !value.every(v => typeof v === 'string')) throw new Error(`${keyword} must be in exec form (a JSON array of strings): ${args}`)
  return value
}

/** `ENV A=1 B="x y"`; the legacy `ENV A 1` form is refused so that nothing is read wrong. */
function envPairs (args: string): Record<string, string> {
  const env: Record<string, string> = {}
  for (const m of args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("(?:[^"\\]|\\.)*"|\S*)/g)) {
    env[m[1]!] = m[2]!.startsWith('"') ? JSON.parse(m[2]!) as string : m[2]!
  }
  if (Object.keys(env).length === 0) throw new Error(`ENV must use KEY=VALUE: ${args}`)
  return env
}

function healthcheck (args: string): Healthcheck {
  const flags: Record<string, string> = {}
  let rest = args
  for (let m = /^--([a-z-]+)=(\S+)\s+/.exec(rest); m !== null; m = /^--([a-z-]+)=(\S+)\s+/.exec(rest)) {
    flags[m[1]!] = m[2]!
    rest = rest.slice(m[0].length)
  }
  if (!rest.startsWith('CMD ')) throw new Error(`HEALTHCHECK must be HEALTHCHECK [flags] CMD [...]: ${args}`)
  return { flags, command: execForm(rest.slice(4).trim(), 'HEALTHCHECK CMD') }
}

/** The last stage is the image that runs; only its settings count, but every FROM is reported. */
export function parseDockerfile (text: string): Dockerfile {
  const all = instructions(text)
  const from = all.filter(i => i.keyword === 'FROM').map(i => i.args.split(/\s+/)[0]!)
  const lastFrom = all.map(i => i.keyword).lastIndexOf('FROM')
  const final = all.slice(lastFrom + 1)
  const last = (keyword: string): Instruction | undefined => final.filter(i => i.keyword === keyword).at(-1)
  const check = last('HEALTHCHECK')
  return {
    instructions: all,
    from,
    env: Object.assign({}, ...final.filter(i => i.keyword === 'ENV').map(i => envPairs(i.args))) as Record<string, string>,
    expose: final.filter(i => i.keyword === 'EXPOSE').flatMap(i => i.args.split(/\s+/).map(p => Number(p.replace(/\/tcp$/, '')))),
    volumes: final.filter(i => i.keyword === 'VOLUME').flatMap(i => execForm(i.args, 'VOLUME')),
    workdir: last('WORKDIR')?.args,
    healthcheck: check === undefined ? undefined : healthcheck(check.args),
    entrypoint: execForm(last('ENTRYPOINT')?.args ?? '[]', 'ENTRYPOINT'),
    cmd: execForm(last('CMD')?.args ?? '[]', 'CMD')
  }
}
