/**
 * Config arrives in layers (defaults, file, environment, flags); later layers win. Objects merge key
 * by key, everything else (lists included) is replaced whole: `--listen` replaces the file's listen
 * addresses rather than adding to them. Each written path remembers its layer, so a validation error
 * can say where the bad value came from.
 */
export interface ConfigLayer {
  /** One name for the whole layer, or one per top-level key (an environment variable, a flag). */
  source: string | Readonly<Record<string, string>>
  values: Readonly<Record<string, unknown>>
}

export interface MergedConfig {
  values: Record<string, unknown>
  /** The source of the value at a dotted path (or at its closest ancestor that has one). */
  sourceOf: (path: string) => string
}

const UNKNOWN_SOURCE = 'config'

export function isPlainObject (v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function setOwn (obj: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true })
}

function copy (v: unknown): unknown {
  if (Array.isArray(v)) return v.map(copy)
  if (!isPlainObject(v)) return v
  const out: Record<string, unknown> = {}
  for (const [k, x] of Object.entries(v)) setOwn(out, k, copy(x))
  return out
}

function layerSource (layer: ConfigLayer, topKey: string): string {
  return typeof layer.source === 'string' ? layer.source : layer.source[topKey] ?? UNKNOWN_SOURCE
}

export function mergeLayers (layers: readonly ConfigLayer[]): MergedConfig {
  const values: Record<string, unknown> = {}
  const origins = new Map<string, string>()

  const mergeInto = (target: Record<string, unknown>, patch: Readonly<Record<string, unknown>>, prefix: string, layer: ConfigLayer): void => {
    for (const [key, value] of Object.entries(patch)) {
      const path = prefix === '' ? key : `${prefix}.${key}`
      const existing = Object.hasOwn(target, key) ? target[key] : undefined
      if (isPlainObject(value) && isPlainObject(existing)) {
        mergeInto(existing, value, path, layer)
        continue
      }
      for (const p of [...origins.keys()]) if (p.startsWith(`${path}.`)) origins.delete(p)
      setOwn(target, key, copy(value))
      origins.set(path, layerSource(layer, path.split('.')[0] ?? path))
    }
  }

  for (const layer of layers) mergeInto(values, layer.values, '', layer)

  const sourceOf = (path: string): string => {
    const parts = path.split('.')
    for (let n = parts.length; n > 0; n--) {
      const source = origins.get(parts.slice(0, n).join('.'))
      if (source !== undefined) return source
    }
    return UNKNOWN_SOURCE
  }
  return { values, sourceOf }
}
