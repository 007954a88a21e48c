import { ExactIndex } from '../index/exactIndex.js'
import { FlatValues } from '../index/flatValues.js'
import { PdqIndex } from '../index/pdqIndex.js'
import type { Logger } from '../logger.js'
import { requireSignalType } from '../signals/registry.js'
import type { HashStore } from '../store/hashStore.js'
import { isListed } from '../store/listing.js'
import { Action, type DecodedBatch } from '../wire/types.js'

const PDQ = requireSignalType('pdq')

/**
 * The in-memory indexes lookups answer from, kept equal to the store. The exact index holds every
 * (type, value) ever stored, so a miss never touches disk and a retracted hash still shows its
 * history. The PDQ index holds only the PDQ values listed now: a near match to a hash every
 * publisher has retracted would be noise.
 */
export class LookupIndexes {
  readonly exact: ExactIndex
  readonly pdq: PdqIndex
  private readonly store: HashStore

  constructor (store: HashStore, indexes: { exact?: ExactIndex, pdq?: PdqIndex } = {}) {
    this.store = store
    this.exact = indexes.exact ?? new ExactIndex()
    this.pdq = indexes.pdq ?? new PdqIndex()
  }

  /** Both indexes rebuilt from the store: every indexed key, then the listed PDQ values. */
  static async load (store: HashStore, logger: Logger): Promise<LookupIndexes> {
    let started = Date.now()
    const exact = new ExactIndex()
    const rows = await store.forEachIndexedValue((code, value) => { exact.add(code, value) })
    logger.info({ rows, hashes: exact.size, ms: Date.now() - started }, 'lookup index rebuilt from store')
    started = Date.now()
    const listed = new FlatValues(PDQ.length)
    const scan = await store.forEachListedValue(PDQ.code, value => { listed.push(value) })
    const pdq = PdqIndex.build(listed)
    logger.info({ rows: scan.rows, hashes: pdq.size, memoryBytes: pdq.memoryBytes(), ms: Date.now() - started }, 'pdq near-match index rebuilt from store')
    return new LookupIndexes(store, { exact, pdq })
  }

  /**
   * Brings the indexes up to date with a batch just stored; runs under the ingest lock, so the
   * store reads here see exactly this batch and those before it. A PDQ value the batch adds is
   * listed now (unless the batch also retracts it); one it retracts stays listed only if another
   * publisher's current word still adds it, which the store's rows for it tell (retractions are
   * rare, so this read is too, and it is skipped for a value the index does not hold).
   */
  async applyStored (batch: DecodedBatch): Promise<void> {
    const addedPdq: Uint8Array[] = []
    const retractedPdq = new Map<string, Uint8Array>()
    for (const entry of batch.body.entries) {
      const code = requireSignalType(entry.signalType).code
      this.exact.add(code, entry.value)
      if (code !== PDQ.code) continue
      if (entry.action === Action.RETRACT) retractedPdq.set(Buffer.from(entry.value).toString('hex'), entry.value)
      else if (entry.action === Action.ADD) addedPdq.push(entry.value)
    }
    // One call for the batch: the index checks and appends them together, far cheaper than one by one.
    this.pdq.addMany(addedPdq)
    for (const value of retractedPdq.values()) {
      if (this.pdq.has(value) && !isListed(await this.store.entriesFor(PDQ.code, value))) this.pdq.remove(value)
    }
  }

  /**
   * Lets the PDQ index finish merging segments that updates left owed, for at most `maxMs`; queries
   * slow down while merges are owed. Returns whether any remain.
   */
  maintain (maxMs: number): boolean {
    return this.pdq.maintain(maxMs)
  }
}
