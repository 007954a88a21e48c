/** One sample line of the Prometheus text format. */
export interface PromSample { name: string, labels: Record<string, string>, value: number }

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g

function unescape (value: string): string {
  return value.replace(/\\(.)/g, (_, c: string) => c === 'n' ? '\n' : c)
}

/** Every sample in a /metrics answer; comment lines (# HELP, # TYPE) skipped. */
export function parsePromText (text: string): PromSample[] {
  return text.split('\n').filter(l => l !== '' && !l.startsWith('#')).map(line => {
    const m = SAMPLE.exec(line)
    if (m === null) throw new Error(`not a sample line: ${line}`)
    const labels = Object.fromEntries([...(m[2] ?? '').matchAll(LABEL)].map(([, k, v]) => [k!, unescape(v!)]))
    return { name: m[1]!, labels, value: Number(m[3]) }
  })
}

/** The value of the one sample with exactly these labels; undefined when there is none. */
export function sampleValue (samples: readonly PromSample[], name: string, labels: Record<string, string> = {}): number | undefined {
  const wanted = Object.entries(labels)
  const found = samples.filter(s => s.name === name && Object.keys(s.labels).length === wanted.length && wanted.every(([k, v]) => s.labels[k] === v))
  if (found.length > 1) throw new Error(`${found.length} samples of ${name} with labels ${JSON.stringify(labels)}`)
  return found[0]?.value
}

/** Every sample of one metric. */
export function samplesOf (samples: readonly PromSample[], name: string): PromSample[] {
  return samples.filter(s => s.name === name)
}
