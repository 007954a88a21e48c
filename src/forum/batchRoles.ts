import { type Entry, type Role, isOpinion } from '../wire/types.js'

/** The roles a batch needs: `publish` for any add or retract, `opine` for any opinion; a mixed batch both. */
export function rolesNeeded (entries: readonly Entry[]): Role[] {
  let publish = false
  let opine = false
  for (const e of entries) {
    if (isOpinion(e.action)) opine = true
    else publish = true
    if (publish && opine) break
  }
  return [...(publish ? ['publish' as const] : []), ...(opine ? ['opine' as const] : [])]
}
