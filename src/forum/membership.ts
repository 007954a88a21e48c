import { sha256 } from '@noble/hashes/sha2.js'
import type { TrustPolicy, TrustRefusal } from '../ingest/trustPolicy.js'
import { toHex } from '../signals/hex.js'
import type { BatchBody, Credential, DecodedForumRecord, KeyRotation, Revocation, Role } from '../wire/types.js'
import { rolesNeeded } from './batchRoles.js'
import { pastRevocationCut, pastRotationCut, revocationNames } from './cuts.js'
import { isoTime } from './isoTime.js'
import type { MemberInfo, MemberStatus, RevocationInfo } from './memberInfo.js'
import type { RowKind, RowStanding, StandingView } from './standing.js'

export type RevokedEntries = 'keep' | 'hide'

export interface MembershipOptions {
  /** Forum root keys (hex) from config: only their records count. */
  roots: readonly string[]
  /**
   * The local trust list (hex). Without roots it alone decides who may publish; with roots it counts
   * for nothing, so that a revocation or rotation a root signed is never outweighed by an old entry.
   */
  trusted: readonly string[]
  /** With roots: keys (hex) accepted whatever the forum says, by an explicit local decision (forum.overrides). */
  overrides?: readonly string[]
  /** Whether a revoked member's rows from before the cut still count in lookups. */
  revokedEntries: RevokedEntries
}

interface HeldCredential { credential: Credential, root: string, recordId: string, issuedAtMs: number }
interface HeldRevocation { revocation: Revocation, root: string, recordId: string, issuedAtMs: number }

/** How one row (or batch) stands for one role, best first. */
type Evaluation =
  | { kind: 'member' | 'revoked' | 'after-cut', held: HeldCredential }
  /** No credential at all for the key. */
  | { kind: 'unknown' }
  /** Credentials, none valid at createdAt. */
  | { kind: 'no-window' }
  /** Valid at createdAt, none with the role. */
  | { kind: 'missing-role' }

const ROLE_OF_KIND: Readonly<Record<RowKind, Role>> = { hash: 'publish', opinion: 'opine' }

const NOT_CUT = 0
const BEFORE_CUT = 1
const AFTER_CUT = 2
type CutState = typeof NOT_CUT | typeof BEFORE_CUT | typeof AFTER_CUT

function push<V> (map: Map<string, V[]>, key: string, value: V): void {
  const list = map.get(key)
  if (list === undefined) map.set(key, [value])
  else list.push(value)
}

function untrusted (key: string, inForum: boolean): TrustRefusal {
  const why = inForum ? 'has no credential from this forum\'s roots' : 'is not on this node\'s trust list'
  return { code: 'UNTRUSTED_PUBLISHER', message: `publisher ${key} ${why}` }
}

function names (r: HeldRevocation, h: HeldCredential): boolean {
  return revocationNames(
    { root: r.root, serial: r.revocation.serial, issuedAtMs: r.issuedAtMs },
    { root: h.root, serial: h.credential.serial, issuedAtMs: h.issuedAtMs }
  )
}

/**
 * The forum as this node knows it: credentials and revocations signed by its configured roots
 * (already verified by the ingester), and the keys the node accepts on its own word: the trust list
 * when it has no roots, the explicit overrides when it has. Answers, for every batch that comes
 * in (check) and every row a lookup returns (standing), whether its publisher could publish it —
 * as of now, since a revocation or rotation learnt later changes the answer for rows stored before.
 * Everything is indexed by publisher, so both are a few map lookups.
 */
export class Membership implements StandingView, TrustPolicy {
  private readonly roots: ReadonlySet<string>
  /** Keys accepted on this node's own word, whatever the forum says; they stand as `localStanding`. */
  private readonly local: ReadonlySet<string>
  private readonly localStanding: 'trusted' | 'override'
  private readonly revokedEntries: RevokedEntries
  private readonly records = new Map<string, DecodedForumRecord>()
  /** By member key, oldest issued first. */
  private readonly credentials = new Map<string, HeldCredential[]>()
  private readonly revocationsOfMember = new Map<string, HeldRevocation[]>()
  /** By OLD key: the rotations away from it that a root accepted. */
  private readonly rotationsFrom = new Map<string, KeyRotation[]>()
  private digestCache: Uint8Array | undefined

  constructor (options: MembershipOptions) {
    this.roots = new Set(options.roots.map(k => k.toLowerCase()))
    const inForum = this.roots.size > 0
    this.local = new Set((inForum ? options.overrides ?? [] : options.trusted).map(k => k.toLowerCase()))
    this.localStanding = inForum ? 'override' : 'trusted'
    this.revokedEntries = options.revokedEntries
  }

  get size (): number {
    return this.records.size
  }

  get policy (): RevokedEntries {
    return this.revokedEntries
  }

  rootKeys (): string[] {
    return [...this.roots]
  }

  isRoot (key: Uint8Array): boolean {
    return this.roots.has(toHex(key))
  }

  has (recordId: Uint8Array): boolean {
    return this.records.has(toHex(recordId))
  }

  /**
   * Takes in a record whose signatures were verified. False when it is known already, or not signed
   * by a configured root (such a record never counts, so it is not held either).
   */
  add (record: DecodedForumRecord): boolean {
    const id = toHex(record.id)
    const root = toHex(record.body.signer)
    if (this.records.has(id) || !this.roots.has(root)) return false
    this.records.set(id, record)
    this.digestCache = undefined
    const { credential, revocation, createdAtMs: issuedAtMs } = record.body
    if (credential !== undefined) this.addCredential({ credential, root, recordId: id, issuedAtMs })
    if (revocation !== undefined) push(this.revocationsOfMember, toHex(revocation.member), { revocation, root, recordId: id, issuedAtMs })
    return true
  }

  /** Any credential, or the node's own word: sync pulls such a publisher's history at all. */
  isTrusted (publisher: Uint8Array): boolean {
    const key = toHex(publisher)
    return this.local.has(key) || this.credentials.has(key)
  }

  /** Batch validation: why this batch may not come in, or undefined when it may. */
  check (body: BatchBody): TrustRefusal | undefined {
    const key = toHex(body.publisher)
    if (this.local.has(key)) return undefined
    const { seq, createdAtMs } = body
    if (this.pastRotation(key, seq, createdAtMs)) {
      return { code: 'KEY_ROTATED', message: `publisher ${key} moved to another key before seq ${seq}; its later batches are not its own` }
    }
    if (!this.credentials.has(key)) return untrusted(key, this.roots.size > 0)
    for (const role of rolesNeeded(body.entries)) {
      const e = this.evaluate(key, seq, createdAtMs, role)
      switch (e.kind) {
        case 'unknown': return untrusted(key, this.roots.size > 0)
        case 'no-window': return { code: 'NO_CREDENTIAL', message: `no credential of publisher ${key} is valid at the batch's created_at ${createdAtMs}` }
        case 'missing-role':
          return { code: 'MISSING_ROLE', message: `no credential of publisher ${key} valid at created_at ${createdAtMs} grants the "${role}" role` }
        case 'after-cut': {
          const serial = e.held.credential.serial
          const message = `the credential of publisher ${key} (serial ${serial}) is revoked, and batch seq ${seq} is past the revocation's cut`
          return { code: 'CREDENTIAL_REVOKED', message }
        }
        // A revoked member's batches from before the cut are its history: stored, shown per policy.
        case 'revoked':
        case 'member': break
      }
    }
    return undefined
  }

  standing (publisher: Uint8Array, seq: number, createdAtMs: number, kind: RowKind): RowStanding {
    const key = toHex(publisher)
    const organisation = this.latestCredential(key)?.credential.organisation
    const named = organisation === undefined ? {} : { organisation }
    if (this.local.has(key)) return { status: this.localStanding, visible: true, ...named }
    if (this.pastRotation(key, seq, createdAtMs)) return { status: 'after-cut', visible: false, ...named }
    const e = this.evaluate(key, seq, createdAtMs, ROLE_OF_KIND[kind])
    if (e.kind !== 'member' && e.kind !== 'revoked' && e.kind !== 'after-cut') return { status: 'no-credential', visible: false, ...named }
    const from = { organisation: e.held.credential.organisation, serial: e.held.credential.serial, root: e.held.root }
    if (e.kind === 'member') return { status: 'member', visible: true, ...from }
    if (e.kind === 'revoked') return { status: 'revoked', visible: this.revokedEntries === 'keep', ...from }
    return { status: 'after-cut', visible: false, ...from }
  }

  /** The organisation of the key's most recently issued credential. */
  organisationOf (publisher: Uint8Array): string | undefined {
    return this.latestCredential(toHex(publisher))?.credential.organisation
  }

  /** The key this one moved to (hex), per the latest rotation a root accepted. */
  rotatedTo (publisher: Uint8Array): string | undefined {
    return this.rotationsFrom.get(toHex(publisher))?.map(r => toHex(r.newKey)).at(-1)
  }

  /** The key this one moved from (hex), per its latest credential that embeds a rotation. */
  rotatedFrom (publisher: Uint8Array): string | undefined {
    const held = this.credentials.get(toHex(publisher)) ?? []
    const rotation = held.map(h => h.credential.rotation).filter(r => r !== undefined).at(-1)
    return rotation === undefined ? undefined : toHex(rotation.body.oldKey)
  }

  /** One line per credential, by member then issue time. */
  members (nowMs: number): MemberInfo[] {
    return [...this.credentials.values()].flat().map(h => this.memberInfo(h, nowMs))
  }

  revocations (): RevocationInfo[] {
    return [...this.revocationsOfMember.values()].flat().map(({ revocation: r, root, recordId, issuedAtMs }) => ({
      member: toHex(r.member),
      serial: r.serial,
      effectiveAt: isoTime(r.effectiveAtMs),
      lastSeq: r.lastSeq,
      reason: r.reason,
      root,
      recordId,
      issuedAt: isoTime(issuedAtMs)
    }))
  }

  /** SHA-256 over the sorted ids of the records held (SHA-256 of nothing when none): equal digests, equal forums. */
  digest (): Uint8Array {
    this.digestCache ??= sha256(Buffer.concat([...this.records.keys()].sort().map(id => Buffer.from(id, 'hex'))))
    return this.digestCache
  }

  /** The exact signed bytes of every record held, for serving to peers. */
  signedRecords (): Uint8Array[] {
    return [...this.records.values()].map(r => r.signedBytes)
  }

  private addCredential (held: HeldCredential): void {
    const member = toHex(held.credential.member)
    push(this.credentials, member, held)
    this.credentials.get(member)?.sort((a, b) => a.issuedAtMs - b.issuedAtMs)
    const rotation = held.credential.rotation?.body
    if (rotation !== undefined) push(this.rotationsFrom, toHex(rotation.oldKey), rotation)
  }

  private latestCredential (key: string): HeldCredential | undefined {
    return this.credentials.get(key)?.at(-1)
  }

  private pastRotation (key: string, seq: number, createdAtMs: number): boolean {
    return this.rotationsFrom.get(key)?.some(r => pastRotationCut(r, seq, createdAtMs)) === true
  }

  /** The best standing any of the key's credentials gives a row for `role`: member, then revoked, then after-cut. */
  private evaluate (key: string, seq: number, createdAtMs: number, role: Role): Evaluation {
    const held = this.credentials.get(key)
    if (held === undefined) return { kind: 'unknown' }
    let inWindow = false
    let best: { kind: 'revoked' | 'after-cut', held: HeldCredential } | undefined
    // Latest issued first, so that of two equally good credentials the current organisation name wins.
    for (let i = held.length - 1; i >= 0; i--) {
      const h = held[i]!
      const c = h.credential
      if (createdAtMs < c.validFromMs || createdAtMs >= c.validUntilMs) continue
      inWindow = true
      if (!c.roles.includes(role)) continue
      const cut = this.cutState(key, h, seq, createdAtMs)
      if (cut === NOT_CUT) return { kind: 'member', held: h }
      if (cut === BEFORE_CUT) {
        if (best?.kind !== 'revoked') best = { kind: 'revoked', held: h }
      } else {
        best ??= { kind: 'after-cut', held: h }
      }
    }
    return best ?? { kind: inWindow ? 'missing-role' : 'no-window' }
  }

  /** Whether revocations name this credential, and whether the row is past the earliest of their cuts. */
  private cutState (key: string, held: HeldCredential, seq: number, createdAtMs: number): CutState {
    let state: CutState = NOT_CUT
    for (const r of this.revocationsOfMember.get(key) ?? []) {
      if (!names(r, held)) continue
      if (pastRevocationCut(r.revocation, seq, createdAtMs)) return AFTER_CUT
      state = BEFORE_CUT
    }
    return state
  }

  private memberInfo (h: HeldCredential, nowMs: number): MemberInfo {
    const c = h.credential
    const key = toHex(c.member)
    const revokedAtMs = Math.min(...(this.revocationsOfMember.get(key) ?? []).filter(r => names(r, h)).map(r => r.revocation.effectiveAtMs))
    const rotatedTo = this.rotatedTo(c.member)
    const status: MemberStatus = Number.isFinite(revokedAtMs)
      ? 'revoked'
      : rotatedTo !== undefined ? 'rotated' : nowMs >= c.validUntilMs ? 'expired' : nowMs < c.validFromMs ? 'not-yet-valid' : 'active'
    return {
      publisher: key,
      organisation: c.organisation,
      roles: [...c.roles],
      validFrom: isoTime(c.validFromMs),
      validUntil: isoTime(c.validUntilMs),
      serial: c.serial,
      root: h.root,
      status,
      ...(Number.isFinite(revokedAtMs) ? { revokedAt: isoTime(revokedAtMs) } : {}),
      ...(rotatedTo === undefined ? {} : { rotatedTo }),
      ...(c.rotation === undefined ? {} : { rotatedFrom: toHex(c.rotation.body.oldKey) }),
      recordId: h.recordId,
      issuedAt: isoTime(h.issuedAtMs)
    }
  }
}
