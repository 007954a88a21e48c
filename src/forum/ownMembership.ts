import type { Role } from '../wire/types.js'
import type { MemberInfo, MemberStatus } from './memberInfo.js'

/**
 * A credential close to its end is the one outage an operator can see coming: the node's own
 * publishes and its peers' acceptance of them stop the moment it lapses. Two weeks leaves time to
 * ask the forum's operator for a new one.
 */
export const EXPIRY_WARNING_MS = 14 * 24 * 60 * 60 * 1000

/** This node's own standing in the forum, for `status` and the start-up log. */
export interface OwnMembership {
  /** Whether any credential admits this node's publisher key now. */
  admitted: boolean
  /** `none` when no credential names the key (or no forum is configured). */
  status: MemberStatus | 'none'
  organisation?: string
  roles?: Role[]
  validUntil?: string
  /** The current credential ends within EXPIRY_WARNING_MS. */
  expiresSoon: boolean
}

const NONE: OwnMembership = { admitted: false, status: 'none', expiresSoon: false }

/** Active credentials first, the one lasting longest; otherwise the most recently issued. */
function best (a: MemberInfo, b: MemberInfo): number {
  const active = Number(b.status === 'active') - Number(a.status === 'active')
  if (active !== 0) return active
  if (a.status === 'active') return Date.parse(b.validUntil) - Date.parse(a.validUntil)
  return Date.parse(b.issuedAt) - Date.parse(a.issuedAt)
}

export function ownMembership (members: readonly MemberInfo[], publisher: string, nowMs: number): OwnMembership {
  const current = members.filter(m => m.publisher === publisher).sort(best)[0]
  if (current === undefined) return NONE
  const admitted = current.status === 'active'
  return {
    admitted,
    status: current.status,
    organisation: current.organisation,
    roles: current.roles,
    validUntil: current.validUntil,
    expiresSoon: admitted && Date.parse(current.validUntil) - nowMs < EXPIRY_WARNING_MS
  }
}
