import { EquivocationError } from '../../../src/ingest/equivocationError.js'
import { hammingDistance } from '../../../src/hashing/pdq/hashBits.js'
import { LookupError } from '../../../src/lookup/lookupError.js'
import type { AllowlistAddRequest, AllowlistItem, AllowlistNodeApi } from '../../../src/node/allowlistApi.js'
import type { EntryInput, EquivocationDecision, EquivocationInfo, HashSummary, HashmeshNodeApi, LookupQuery, LookupResult, LookupSummary, MatchResult, NodeMatchOptions, NodeStatus, PublishResult } from '../../../src/node/interface.js'
import { parseHexBytes, parseSignalValue, toHex } from '../../../src/signals/hex.js'
import { SignalError } from '../../../src/signals/registry.js'
import { PUBLIC_KEY_BYTES } from '../../../src/wire/limits.js'
import { entryFromInput } from '../../../src/node/batchPublisher.js'

export const LISTED_MD5 = 'ab'.repeat(16)
const PUBLISHER = 'cd'.repeat(32)
/** The organisation the fake's one publisher belongs to. */
export const FAKE_ORGANISATION = 'Example Trust & Safety'

export const FAKE_STATUS: NodeStatus = {
  peerId: '12D3KooWFPQNesWnKqL2SpESimHumJwuWbArqjgxKVNuhzW45g1D',
  stateDigest: '01'.repeat(32),
  publisherKey: PUBLISHER,
  network: 'test',
  multiaddrs: ['/ip4/127.0.0.1/tcp/4001/p2p/12D3KooWFPQNesWnKqL2SpESimHumJwuWbArqjgxKVNuhzW45g1D'],
  connectedPeers: [],
  meshPeers: [],
  bannedPeers: [],
  held: { batches: 0, bytes: 0, evicted: 0 },
  catchUp: [],
  topic: 'hashmesh/test/batches/1',
  trustedPublishers: [PUBLISHER],
  forum: { roots: [], overrides: [], ignoredTrust: [], records: 0, digest: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', validation: { accept: {}, ignore: {}, reject: {} }, own: { admitted: false, status: 'none', expiresSoon: false } },
  publishers: [{ publisher: PUBLISHER, seq: 1, headId: 'ef'.repeat(32), pending: 0, equivocating: false, batches: 1, entries: 1 }],
  hashes: { md5: 1, sha1: 0, sha256: 0, pdq: 0 },
  pdqIndex: { hashes: 0, memoryBytes: 4096 },
  validation: { accept: { ACCEPTED: 1 }, ignore: {}, reject: {} },
  uptimeSeconds: 7
}

/** A publisher other than the node's own, caught equivocating and not yet decided on. */
export const FAKE_EQUIVOCATION: EquivocationInfo = {
  publisher: 'ee'.repeat(32),
  forkSeq: 3,
  batchA: { batchId: 'a1'.repeat(32), seq: 3 },
  batchB: { batchId: 'b2'.repeat(32), seq: 3 },
  detectedAt: '2024-01-02T00:00:00.000Z',
  decision: 'undecided'
}

/**
 * Stands in for a node in HTTP unit tests. Checks inputs with the real signal parser, so it throws
 * the same typed errors a node does for a bad type or value.
 */
export class FakeNode implements HashmeshNodeApi, AllowlistNodeApi {
  readonly peerId = FAKE_STATUS.peerId
  readonly publisherKey = PUBLISHER
  readonly published: EntryInput[][] = []
  /** When set, publish throws it (to exercise the error mapping). */
  publishError: Error | undefined
  /** Every upload passed to match(), with its options. */
  readonly matched: Array<{ bytes: number, options: NodeMatchOptions }> = []
  /** When set, match throws it. */
  matchError: Error | undefined
  /** Recorded equivocations; tests add or clear them. Starts with FAKE_EQUIVOCATION. */
  readonly equivocationList: EquivocationInfo[] = [structuredClone(FAKE_EQUIVOCATION)]

  /** The one PDQ hash this node lists; a PDQ lookup within maxDistance of it (or a variant) finds it. */
  listedPdq: string | undefined
  /** The md5 this node lists (LISTED_MD5 unless a test lists a real file's). */
  listedMd5 = LISTED_MD5
  /** Opinions the listed hashes carry (none unless a test sets some); a dispute or both kinds mark it disputed. */
  opinions: HashSummary['opinions'] = { confirm: noOpinions(), falsePositive: noOpinions(), dispute: noOpinions() }
  /** The allowlist, in memory; an allowlisted listed hash is reported listed but not a match. */
  readonly allowlistItems: AllowlistItem[] = []
  /** Actors of every allowlist edit, in order. */
  readonly allowlistActors: string[] = []

  async lookup (type: string, value: string, options: Omit<LookupQuery, 'type' | 'value'> = {}): Promise<LookupResult> {
    const parsed = parseSignalValue(type, value)
    if (parsed.type.name !== 'pdq' && (options.maxDistance !== undefined || options.variants !== undefined)) throw new LookupError('NOT_PERCEPTUAL', `${parsed.type.name} is matched exactly`)
    const hex = toHex(parsed.value)
    if (parsed.type.name === 'pdq') return this.nearLookup(hex, options)
    const listed = parsed.type.name === 'md5' && hex === this.listedMd5
    const found = listed ? [this.summary('md5', hex)] : []
    return { type: parsed.type.name, value: hex, listed, matches: listed ? [this.listedMatch()] : [], match: found.some(h => h.match), hashes: found }
  }

  /** What a node reports for the one listed hash: its publisher, the opinions set, the allowlist, the verdict. */
  private summary (type: string, value: string, distance?: number): HashSummary {
    const allowlisted = this.allowlistItems.find(i => i.type === type && i.value === value)
    const { confirm, falsePositive, dispute } = this.opinions
    return {
      value,
      ...(distance === undefined ? {} : { distance }),
      listed: true,
      addedBy: [{ publisher: PUBLISHER, organisation: FAKE_ORGANISATION, labels: ['csam'] }],
      retractedBy: [],
      opinions: structuredClone(this.opinions),
      disputed: (confirm.count > 0 && falsePositive.count > 0) || dispute.count > 0,
      ...(allowlisted === undefined ? {} : { allowlisted: { note: allowlisted.note, author: allowlisted.author, addedAt: allowlisted.addedAt } }),
      match: allowlisted === undefined,
      reasons: allowlisted === undefined ? [`listed by 1 organisation (${FAKE_ORGANISATION})`] : [`allowlisted by ${allowlisted.author}: ${allowlisted.note}`]
    }
  }

  private nearLookup (hex: string, options: Omit<LookupQuery, 'type' | 'value'>): LookupResult {
    const maxDistance = options.maxDistance ?? 31
    if (!Number.isInteger(maxDistance) || maxDistance < 0 || maxDistance > 256) throw new LookupError('BAD_MAX_DISTANCE', 'maxDistance must be an integer 0-256')
    const result: LookupResult = { type: 'pdq', value: hex, listed: false, matches: [], match: false, hashes: [], maxDistance, truncated: false }
    const stored = this.listedPdq
    if (stored === undefined) return result
    const forms = [hex, ...(options.variants ?? [])]
    const distances = forms.map(f => hammingDistance(Buffer.from(f, 'hex'), Buffer.from(stored, 'hex')))
    const distance = Math.min(...distances)
    if (distance > maxDistance) return result
    const variant = options.variants === undefined ? {} : { variant: distances.indexOf(distance) }
    const summary = this.summary('pdq', stored, distance)
    return { ...result, listed: true, matches: [{ ...this.listedMatch(), value: stored, distance, ...variant }], match: summary.match, hashes: [summary] }
  }

  private listedMatch (): LookupResult['matches'][number] {
    return {
      publisher: PUBLISHER,
      labels: ['csam'],
      batchId: 'ef'.repeat(32),
      seq: 1,
      action: 'add',
      receivedAt: '2024-01-01T00:00:00.000Z',
      createdAt: '2024-01-01T00:00:00.000Z',
      current: true,
      publisherEquivocating: this.recorded(PUBLISHER) !== undefined,
      organisation: FAKE_ORGANISATION,
      standing: 'member'
    }
  }

  async summarise (queries: readonly LookupQuery[]): Promise<LookupSummary[]> {
    return (await this.lookupMany(queries)).map(({ matches: _, ...summary }) => summary)
  }

  async lookupMany (queries: readonly LookupQuery[]): Promise<LookupResult[]> {
    const results: LookupResult[] = []
    for (const [i, { type, value, ...options }] of queries.entries()) {
      try {
        results.push(await this.lookup(type, value, options))
      } catch (err) {
        if (err instanceof SignalError) throw new SignalError(err.code, `queries[${i}]: ${err.message}`)
        throw err
      }
    }
    return results
  }

  async publish (entries: readonly EntryInput[]): Promise<PublishResult> {
    if (this.publishError !== undefined) throw this.publishError
    // The node's own conversion: the same typed errors (SignalError, WireError) for the same input.
    entries.forEach(entryFromInput)
    this.published.push([...entries])
    return { batchId: '01'.repeat(32), seq: this.published.length, entries: entries.length, recipients: 2 }
  }

  /** Answers as if the upload were a listed md5's file; records what it was given. */
  async match (file: Uint8Array, options: NodeMatchOptions = {}): Promise<MatchResult> {
    if (this.matchError !== undefined) throw this.matchError
    this.matched.push({ bytes: file.length, options })
    const hashes = { bytes: file.length, md5: LISTED_MD5, sha1: '00'.repeat(20), sha256: '00'.repeat(32) }
    const results = await this.lookupMany([{ type: 'md5', value: hashes.md5 }, { type: 'sha1', value: hashes.sha1 }, { type: 'sha256', value: hashes.sha256 }])
    return { hashes, listed: true, match: results.some(r => r.match), pdqSkipped: 'NOT_AN_IMAGE', results }
  }

  async status (): Promise<NodeStatus> {
    return FAKE_STATUS
  }

  async equivocations (): Promise<EquivocationInfo[]> {
    return structuredClone(this.equivocationList)
  }

  /** Checks the key the way the node does, so the HTTP tests see the same typed errors. */
  async decideEquivocation (publisher: string, decision: EquivocationDecision): Promise<EquivocationInfo> {
    if (parseHexBytes(publisher, PUBLIC_KEY_BYTES) === undefined) throw new EquivocationError('BAD_PUBLISHER_KEY', 'publisher must be 64 hex characters')
    const known = this.recorded(publisher.toLowerCase())
    if (known === undefined) throw new EquivocationError('NO_SUCH_EQUIVOCATION', `no equivocation is recorded for publisher ${publisher}`)
    known.decision = decision
    return structuredClone(known)
  }

  async allowlist (): Promise<AllowlistItem[]> {
    return structuredClone(this.allowlistItems)
  }

  /** Parses like the node, so the HTTP tests see the same typed errors; replaces an entry for the same hash. */
  async allowlistAdd (input: AllowlistAddRequest, actor: string): Promise<AllowlistItem> {
    const { type, value } = parseSignalValue(input.type, input.value)
    const item: AllowlistItem = { type: type.name, value: toHex(value), note: input.note, author: input.author, addedAt: '2024-02-01T00:00:00.000Z' }
    const existing = this.allowlistItems.findIndex(x => x.type === item.type && x.value === item.value)
    if (existing !== -1) this.allowlistItems.splice(existing, 1)
    this.allowlistItems.push(item)
    this.allowlistActors.push(actor)
    return structuredClone(item)
  }

  async allowlistRemove (typeName: string, hex: string, actor: string): Promise<boolean> {
    const { type, value } = parseSignalValue(typeName, hex)
    const i = this.allowlistItems.findIndex(x => x.type === type.name && x.value === toHex(value))
    if (i === -1) return false
    this.allowlistItems.splice(i, 1)
    this.allowlistActors.push(actor)
    return true
  }

  private recorded (publisher: string): EquivocationInfo | undefined {
    return this.equivocationList.find(e => e.publisher === publisher)
  }
}

function noOpinions (): HashSummary['opinions']['confirm'] {
  return { count: 0, organisations: [], publishers: 0 }
}
