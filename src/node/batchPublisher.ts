import type { PublisherKey } from '../crypto/publisherKey.js'
import { sign } from '../crypto/ed25519.js'
import type { BatchIngester } from '../ingest/batchIngester.js'
import type { Logger } from '../logger.js'
import { HashmeshError } from '../errors.js'
import { parseSignalValue, toHex } from '../signals/hex.js'
import { SignalError } from '../signals/registry.js'
import type { AuditAppender, AuditEntryInput } from '../store/auditEntry.js'
import type { ExtraOps, HashStore, StoreOp } from '../store/hashStore.js'
import { SerialQueue } from '../store/serialQueue.js'
import { batchId, encodeBatchBody, encodeSignedBatch } from '../wire/batchCodec.js'
import { WireError } from '../wire/errors.js'
import { MAX_ENTRIES_PER_BATCH, REASON_PATTERN } from '../wire/limits.js'
import { ACTION_BY_NAME, type Entry, isOpinion } from '../wire/types.js'
import type { EntryInput, PublishResult } from './interface.js'
import { LOCAL_SOURCE } from '../wire/batchSource.js'

export type PublishErrorCode = 'NO_ENTRIES' | 'TOO_MANY_ENTRIES' | 'PUBLISHER_FROZEN' | 'NOT_ADMITTED' | 'NOT_STORED'

export class PublishError extends HashmeshError<PublishErrorCode> {
  /** For NOT_ADMITTED: the ingest refusal underneath (UNTRUSTED_PUBLISHER, CREDENTIAL_REVOKED, KEY_ROTATED…). */
  readonly reason: string | undefined

  constructor (code: PublishErrorCode, message: string, options: { cause?: unknown, reason?: string } = {}) {
    super(code, message, options)
    this.reason = options.reason
  }
}

/** Where a stored batch is announced; resolves to the number of peers it went to. */
export interface BatchAnnouncer {
  publish: (signedBatch: Uint8Array) => Promise<number>
}

export interface BatchPublisherComponents {
  store: HashStore
  ingester: BatchIngester
  gossip: BatchAnnouncer
  key: PublisherKey
  logger: Logger
  /** Every publish is recorded here, atomically with its batch. */
  audit?: AuditAppender
}

/**
 * What a caller writes with a publish (an appeal's outcome, say): its own writes, and its own audit
 * record, chained after the publish's in the same atomic write.
 */
export interface PublishExtra { ops: StoreOp[], audit?: AuditEntryInput }

/** Built once the batch id is known; called inside the store's write queue. */
export type PublishExtraOps = (batchId: string) => () => Promise<PublishExtra>

/** Who a publish is recorded under when the caller names nobody. */
const DEFAULT_PUBLISH_ACTOR = 'admin'

/** The ingest refusals that mean this key is not (or no longer) allowed to publish what it signed, in words. */
const NOT_ADMITTED: Readonly<Record<string, string>> = {
  UNTRUSTED_PUBLISHER: 'the forum\'s roots have given it no credential',
  NO_CREDENTIAL: 'none of its credentials is valid now',
  MISSING_ROLE: 'no credential of it grants the role these entries need (publish for adds and retracts, opine for opinions)',
  CREDENTIAL_REVOKED: 'its credential was revoked',
  KEY_ROTATED: 'a root accepted its rotation to another key'
}

/**
 * An API/CLI entry as the wire type. A bad type or value is a SignalError naming the entry; an
 * opinion with labels, a reason on a hash action, or a malformed reason is the WireError the codec
 * would throw, named the same way, so the caller learns which entry before anything is signed.
 */
export function entryFromInput (input: EntryInput, i: number): Entry {
  let parsed
  try {
    parsed = parseSignalValue(input.type, input.value)
  } catch (err) {
    if (err instanceof SignalError) throw new SignalError(err.code, `entries[${i}]: ${err.message}`)
    throw err
  }
  const name = input.action ?? 'add'
  // Object.hasOwn: the input may come from JSON, where "constructor" is just a string.
  if (!Object.hasOwn(ACTION_BY_NAME, name)) {
    // Typed as an action name, but JSON input can put anything here.
    const given: unknown = name
    throw new WireError('BAD_ACTION', `entries[${i}]: unknown action ${JSON.stringify(String(given).slice(0, 32))}`)
  }
  const action = ACTION_BY_NAME[name]
  const labels = input.labels ?? []
  if (isOpinion(action)) {
    if (labels.length > 0) {
      throw new WireError('OPINION_WITH_LABELS', `entries[${i}]: ${name} is an opinion and carries no labels; labels belong to the publisher's own add`)
    }
    if (input.reason !== undefined && !REASON_PATTERN.test(input.reason)) {
      throw new WireError('BAD_REASON', `entries[${i}]: reason must be 1-32 of a-z 0-9 _ . - starting with a letter or digit`)
    }
  } else if (input.reason !== undefined) {
    throw new WireError('BAD_REASON', `entries[${i}]: only an opinion carries a reason, not ${name}`)
  }
  return { signalType: parsed.type.name, value: parsed.value, labels, action, ...(input.reason === undefined ? {} : { reason: input.reason }) }
}

/** An appender that cannot chain records in one write keeps the first (the publish's) only. */
async function auditOps (audit: AuditAppender, records: readonly AuditEntryInput[]): Promise<StoreOp[]> {
  if (audit.opsForAll !== undefined) return await audit.opsForAll(records)
  return await audit.opsFor(records[0]!)
}

/**
 * Only a forum refuses a node its own batches (without roots the node trusts its own key), so the
 * way out is the forum's: a credential from its operator. An override is named last and for what it
 * is, a local decision that no other node shares.
 */
function notAdmitted (key: string, reason: string): PublishError {
  const message = `this node's publisher key ${key} is not admitted by the forum to publish this batch: ${NOT_ADMITTED[reason]} (${reason}). ` +
    'Ask the forum operator for a credential with the role (hashmesh forum admit KEY …) and install it with hashmesh join FILE. ' +
    'forum.overrides would make only this node accept it, as an explicit local decision that other nodes do not share'
  return new PublishError('NOT_ADMITTED', message, { reason })
}

/**
 * Signs batches as this node's publisher. Each batch extends the publisher's own chain (seq = head+1,
 * prev = head id) and goes through the same ingest path as a batch from a peer before it is gossiped,
 * so nothing is announced that this node would not itself accept.
 */
export class BatchPublisher {
  private readonly c: BatchPublisherComponents
  private readonly network: string
  private readonly publishing = new SerialQueue()

  constructor (components: BatchPublisherComponents, options: { network: string }) {
    this.c = components
    this.network = options.network
  }

  /**
   * `extra` (an appeal's outcome, say) is given the batch id and its writes go into the batch's own
   * atomic write, with the audit record: written exactly when the batch is stored.
   */
  async publish (inputs: readonly EntryInput[], actor = DEFAULT_PUBLISH_ACTOR, extra?: PublishExtraOps): Promise<PublishResult> {
    if (inputs.length === 0) throw new PublishError('NO_ENTRIES', 'a batch needs at least one entry')
    if (inputs.length > MAX_ENTRIES_PER_BATCH) {
      throw new PublishError('TOO_MANY_ENTRIES', `${inputs.length} entries; at most ${MAX_ENTRIES_PER_BATCH} per batch`)
    }
    const entries = inputs.map(entryFromInput)
    // Serialised: two concurrent publishes must not both take seq head+1.
    return await this.publishing.run(async () => await this.signStoreAndGossip(entries, actor, extra))
  }

  private async signStoreAndGossip (entries: Entry[], actor: string, extra: (PublishExtraOps) | undefined): Promise<PublishResult> {
    const { store, ingester, key } = this.c
    const head = await store.head(key.publicKey)
    const seq = (head?.seq ?? 0) + 1
    const bodyBytes = encodeBatchBody({
      publisher: key.publicKey,
      seq,
      prev: head?.headId ?? new Uint8Array(0),
      createdAtMs: Date.now(),
      network: this.network,
      entries
    })
    const signed = encodeSignedBatch(bodyBytes, sign(bodyBytes, key.secretKey))
    const outcome = await ingester.ingest(signed, LOCAL_SOURCE, this.extraWrites(actor, bodyBytes, seq, entries, extra))
    if (outcome.code === 'EQUIVOCATING') {
      throw new PublishError('PUBLISHER_FROZEN',
        `this publisher key signed two conflicting batches (seq ${seq} or below); decide first: hashmesh equivocations, hashmesh decide`)
    }
    if (Object.hasOwn(NOT_ADMITTED, outcome.code)) throw notAdmitted(toHex(key.publicKey), outcome.code)
    if (outcome.action !== 'accept' || outcome.batch === undefined) {
      throw new PublishError('NOT_STORED', `own batch was not stored: ${outcome.code}`)
    }
    const recipients = await this.gossip(signed)
    return { batchId: toHex(outcome.batch.id), seq, entries: entries.length, recipients }
  }

  /** The publish's audit record and the caller's writes and audit record: one write, made only if the batch is stored. */
  private extraWrites (actor: string, bodyBytes: Uint8Array, seq: number, entries: readonly Entry[], extra: PublishExtraOps | undefined): ExtraOps | undefined {
    const { audit } = this.c
    if (audit === undefined && extra === undefined) return undefined
    const id = toHex(batchId(bodyBytes))
    const opinions = entries.filter(e => isOpinion(e.action)).length
    const details = { batchId: id, seq, entries: entries.length, hashActions: entries.length - opinions, opinions }
    const callers = extra?.(id)
    return async () => {
      const more = await callers?.()
      const records: AuditEntryInput[] = [{ actor, action: 'publish', details }, ...(more?.audit === undefined ? [] : [more.audit])]
      return [...(more?.ops ?? []), ...(audit === undefined ? [] : await auditOps(audit, records))]
    }
  }

  private async gossip (signed: Uint8Array): Promise<number> {
    try {
      return await this.c.gossip.publish(signed)
    } catch (err) {
      // Stored already; peers will get it by sync. Not the caller's error.
      this.c.logger.warn({ err: (err as Error).message }, 'gossip publish failed; batch is stored')
      return 0
    }
  }
}
