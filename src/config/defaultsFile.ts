import { fileURLToPath } from 'node:url'

/** Resolved like the proto in src/wire/schema.ts: src/config and dist/config both sit two levels below the root. */
export const DEFAULTS_FILE = fileURLToPath(new URL('../../config/default.json', import.meta.url))
