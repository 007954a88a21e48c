import type { ForumRecordIngester } from '../forum/forumRecordIngester.js'
import type { Membership } from '../forum/membership.js'
import { summariseRecord } from '../forum/recordSummary.js'
import type { Logger } from '../logger.js'
import type { BatchAnnouncer } from './batchPublisher.js'
import { toHex } from '../signals/hex.js'
import type { AuditAppender } from '../store/auditEntry.js'
import { decodeSignedForumRecord } from '../wire/forumCodec.js'
import type { ForumInfo, ForumNodeApi, ForumSubmitResult } from './forumApi.js'
import { LOCAL_SOURCE } from '../wire/batchSource.js'

export interface ForumFaceComponents {
  membership: Membership
  ingester: ForumRecordIngester
  /** The forum topic: a record an administrator hands in here is announced to every peer. */
  gossip: BatchAnnouncer
  audit: AuditAppender
  logger: Logger
  /** Called for every record accepted here (with the member a credential admits): membership changed, so what matches may have. */
  onAccepted?: (member?: Uint8Array) => void
}

/** The node's forum as administrators see it: what it knows, and records handed in by hand. */
export class ForumFace implements ForumNodeApi {
  private readonly c: ForumFaceComponents

  constructor (components: ForumFaceComponents) {
    this.c = components
  }

  async forum (): Promise<ForumInfo> {
    const { membership } = this.c
    return {
      roots: membership.rootKeys(),
      revokedEntries: membership.policy,
      digest: toHex(membership.digest()),
      members: membership.members(Date.now()),
      revocations: membership.revocations()
    }
  }

  /** The record and its audit entry land in one write, and only when the record is new here. */
  async submitForumRecord (signed: Uint8Array, actor: string): Promise<ForumSubmitResult> {
    const { ingester, audit } = this.c
    const audited = async (): ReturnType<AuditAppender['opsFor']> =>
      await audit.opsFor({ actor, action: 'forum.record', details: { ...summariseRecord(decodeSignedForumRecord(signed)) } })
    const { record, code } = await ingester.submit(signed, LOCAL_SOURCE, audited)
    if (code === 'ACCEPTED') {
      this.announce(record.signedBytes)
      this.c.onAccepted?.(record.body.credential?.member)
    }
    const kind = record.body.credential === undefined ? 'revocation' : 'credential'
    this.c.logger.info({ recordId: toHex(record.id), kind, code, actor }, 'forum record submitted')
    return { recordId: toHex(record.id), kind, code }
  }

  /** Stored already; peers also get it by forum sync, so a gossip failure is only worth a warning. */
  private announce (signed: Uint8Array): void {
    this.c.gossip.publish(signed).catch((err: unknown) => {
      this.c.logger.warn({ err: (err as Error).message }, 'could not gossip a forum record; peers will sync it')
    })
  }
}
