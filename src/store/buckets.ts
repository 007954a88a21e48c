/**
 * The first byte of every store key. Append-only: a bucket that is retired keeps its number,
 * commented out, and the number is never handed out again, so an old store can never be misread.
 */
export enum Bucket {
  /** Store-wide records (schema version); the second key byte is a MetaKey. */
  meta = 0,
  /** publisher(32) + seq(8 BE) → StoredBatch: the signed bytes as received, for re-serving. */
  signedBatch = 1,
  /**
   * publisher(32) + seq(8 BE) → batch id(32, raw): which batch holds a seq, without reading the
   * (up to 1 MiB) signed batch stored under the same suffix in `signedBatch`.
   */
  batchAt = 2,
  /** batch id(32) → BatchLocation: answers "have we got this batch" without reading it. */
  batchId = 3,
  /** type(1) + value + publisher(32) + seq(8 BE) + position(4 BE) → IndexRow; one range per hash. */
  entryIndex = 4,
  /** publisher(32) → Head: the highest linked seq stored and the publisher's counters. */
  head = 5,
  /** publisher(32) → EquivocationRecord: the first proof that the publisher forked, and the decision on it. */
  equivocation = 6,
  /** record id(32) → StoredForumRecord: forum credentials and revocations, as received. */
  forumRecord = 7,
  /** type(1) + value → AllowlistEntry: hashes this node never matches. */
  allowlist = 8,
  /** seq(8 BE) → AuditRecord: the hash-chained log of administrative acts. */
  auditLog = 9,
  /**
   * type(1) + value → HashRows: the entryIndex rows of one hash in summary form, so that a positive
   * lookup is one key read (getMany for a batch), not a range scan per hash.
   */
  hashRows = 10,
  /**
   * content id (UTF-8) → WatchItem: a platform's watched content and its hashes. Local only: never
   * gossiped, never served to peers, never logged.
   */
  watchItem = 11,
  /**
   * type(1) + value + content id (UTF-8) → empty: which watched items hold a hash, one range per
   * hash, so that a stored hash found in the watch index leads to its content ids.
   */
  watchHash = 12,
  /**
   * content id (UTF-8) → WatchMatchState: the listed stored hashes that match the watched item now,
   * each with the match-log record it was recorded as (present only while at least one matches).
   */
  watchMatch = 13,
  /** match id(14: ms 6 BE + 8 random) → MatchRecord: the match log, in time order (src/matches). */
  matchRecord = 14,
  /** content id (UTF-8) + 0x00 + match id(14) → empty: a content id's matches, oldest first. */
  matchByContent = 15,
  /** match id(14) → MatchSummaryRow: what list filters, stats and pruning read of a record. */
  matchSummary = 16,
  /** hook id(8) → HookRecord: a webhook receiver and the event types it subscribes to (never its secret). */
  hook = 17,
  /**
   * hook id(8) + due ms(8 BE) + event id(16) → HookDelivery: an event waiting for one receiver, in
   * due order per hook, so delivery reads each hook's due rows as one short range. Written in the
   * same atomic batch as the state change that caused the event.
   */
  hookOutbox = 18,
  /** event id(16) + hook id(8) → HookDelivery: deliveries given up on; a replay finds an event's rows as one range. */
  hookDead = 19
}

/** Keys inside Bucket.meta. Append-only like Bucket. */
export enum MetaKey {
  /** StoreMeta with the layout version this store was written with. */
  schemaVersion = 0,
  /** AuditHead: the last audit record's seq and hash. */
  auditHead = 1,
  /** MigrationCursor: present only while a migration is part-way through. */
  migrationCursor = 2
}
