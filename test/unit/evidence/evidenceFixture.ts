import { generateSecretKey, publicKeyOf, sign } from '../../../src/crypto/ed25519.js'
import { bodyOf, canonicalText, signedMessage } from '../../../src/evidence/canonicalJson.js'
import { EvidenceBuilder } from '../../../src/evidence/evidenceBuilder.js'
import type { EvidenceBundle } from '../../../src/evidence/evidenceBundle.js'
import { Membership } from '../../../src/forum/membership.js'
import { type MatchRecord, newMatchId } from '../../../src/matches/matchRecord.js'
import { toHex } from '../../../src/signals/hex.js'
import { AuditLog } from '../../../src/store/auditLog.js'
import type { HashStore } from '../../../src/store/hashStore.js'
import { LOCAL_SOURCE } from '../../../src/wire/batchSource.js'
import { Action, type DecodedBatch } from '../../../src/wire/types.js'
import { MapMatchLogView } from '../../helpers/matchLogView.js'
import { Publisher, hashEntry, opinionEntry, randomMd5 } from '../audit/auditFixtures.js'
import { DAY, Root, T0 } from '../forum/forumFixtures.js'
import { TempStore } from '../store/storeFixtures.js'

const HOUR = 60 * 60 * 1000
export const CONTENT_ID = 'uploads/2023/11/cat.jpg'

/**
 * A store as a forum member's node would hold it about one hash H: A listed H and later retracted
 * it, B listed it, C (opine only) reported it a false positive; credentials from one root for all
 * three and a revocation of C; audit records about H, about A's batch and about the content id,
 * between records about other things; and a match record of a platform's content against H.
 */
export class EvidenceFixture {
  readonly temp = new TempStore()
  readonly root = new Root()
  readonly a = new Publisher()
  readonly b = new Publisher()
  readonly c = new Publisher()
  readonly nodeSecret = generateSecretKey()
  readonly hash = toHex(randomMd5())
  readonly other = toHex(randomMd5())
  /** Mentioned once, in A's first batch beside H: the subject of a small bundle. */
  readonly single = toHex(randomMd5())
  readonly batches: DecodedBatch[] = []
  store!: HashStore
  match!: MatchRecord
  builder!: EvidenceBuilder

  /** The components the builder was made of, for a test that wants another builder over the same store. */
  components!: ConstructorParameters<typeof EvidenceBuilder>[0]

  async setup (options: { roots?: boolean } = {}): Promise<void> {
    this.store = await this.temp.setup()
    const withRoots = options.roots ?? true
    const membership = new Membership({ roots: withRoots ? [this.root.hex] : [], trusted: [], revokedEntries: 'keep' })
    for (const record of [
      this.root.credential(this.a.publicKey, { organisation: 'Org A', roles: ['publish'] }),
      this.root.credential(this.b.publicKey, { organisation: 'Org B', roles: ['publish'] }),
      this.root.credential(this.c.publicKey, { organisation: 'Org C', roles: ['opine'] }),
      this.root.revocation(this.c.publicKey, { effectiveAtMs: T0 + 2 * DAY })
    ]) membership.add(record)
    const value = Buffer.from(this.hash, 'hex')
    const receipt = { receivedAtMs: T0 + 2 * HOUR, source: LOCAL_SOURCE }
    this.batches.push(await this.a.publish(this.store, [hashEntry(Buffer.from(this.single, 'hex')), hashEntry(value)], T0 + HOUR, receipt))
    this.batches.push(await this.b.publish(this.store, [hashEntry(value, Action.ADD, ['csam', 'cat'])], T0 + HOUR, receipt))
    this.batches.push(await this.a.publish(this.store, [hashEntry(value, Action.RETRACT)], T0 + 3 * HOUR, receipt))
    this.batches.push(await this.c.publish(this.store, [opinionEntry(value, Action.FALSE_POSITIVE, 'not_violating')], T0 + 4 * HOUR, receipt))
    const auditLog = new AuditLog(this.store, { now: () => T0 + 5 * HOUR })
    await auditLog.append({ actor: 'config', action: 'config.trust', details: { roots: [this.root.hex] } })
    await auditLog.append({ actor: 'alice', action: 'allowlist.add', details: { type: 'md5', value: this.hash, note: 'appeal upheld' } })
    await auditLog.append({ actor: 'alice', action: 'allowlist.add', details: { type: 'md5', value: this.other, note: 'stock photo' } })
    await auditLog.append({ actor: 'bob', action: 'publish', details: { batchId: toHex(this.batches[0]!.id), seq: 1 } })
    await auditLog.append({ actor: 'grievance', action: 'publish', details: { contentId: CONTENT_ID, outcome: 'upheld' } })
    await auditLog.append({ actor: 'bob', action: 'publish', details: { batchId: 'ff'.repeat(32), seq: 9 } })
    this.match = {
      id: newMatchId(T0 + 6 * HOUR),
      contentId: CONTENT_ID,
      source: 'retroactive',
      hash: { type: 'md5', value: this.hash },
      matched: [{
        value: this.hash,
        listed: true,
        addedBy: [{ publisher: this.b.hex, organisation: 'Org B', labels: ['csam', 'cat'] }],
        retractedBy: [{ publisher: this.a.hex, organisation: 'Org A' }],
        opinions: {
          confirm: { count: 0, organisations: [], publishers: 0 },
          falsePositive: { count: 1, organisations: ['Org C'], publishers: 1 },
          dispute: { count: 0, organisations: [], publishers: 0 }
        },
        disputed: false,
        match: true,
        reasons: ['listed by Org B (csam, cat)']
      }],
      labels: ['cat', 'csam'],
      at: new Date(T0 + 6 * HOUR).toISOString(),
      listing: 'listed',
      actions: []
    }
    this.components = {
      store: this.store,
      forum: membership,
      auditLog,
      matchLog: new MapMatchLogView([this.match]),
      key: { publicKey: publicKeyOf(this.nodeSecret), secretKey: this.nodeSecret },
      network: 'test',
      now: () => T0 + 7 * HOUR
    }
    this.builder = new EvidenceBuilder(this.components)
  }

  async teardown (): Promise<void> {
    await this.temp.teardown()
  }
}

export function parseBundle (text: string): EvidenceBundle {
  return JSON.parse(text) as EvidenceBundle
}

/** The bundle signed again by `secretKey` after a test changed it: only the change itself is then wrong. */
export function resigned (bundle: EvidenceBundle, secretKey: Uint8Array): Uint8Array {
  const body = bodyOf(bundle)
  return Buffer.from(canonicalText({ ...body, signature: toHex(sign(signedMessage(body), secretKey)) }))
}
