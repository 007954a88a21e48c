import { MAX_PDQ_DISTANCE } from './limits.js'
import { LookupError } from './lookupError.js'

/** BAD_MAX_DISTANCE unless `maxDistance` is a distance a 256-bit hash can have (0-256). */
export function checkMaxDistance (maxDistance: number): void {
  if (!Number.isInteger(maxDistance) || maxDistance < 0 || maxDistance > MAX_PDQ_DISTANCE) {
    throw new LookupError('BAD_MAX_DISTANCE', `maxDistance must be an integer 0-${MAX_PDQ_DISTANCE}`)
  }
}
