import type { MatchLogView, MatchRecord } from '../../src/matches/matchRecord.js'

/** The match log as the evidence builder reads it: the records a test hands it, the last handed per content id. */
export class MapMatchLogView implements MatchLogView {
  private readonly byId = new Map<string, MatchRecord>()
  private readonly byContent = new Map<string, MatchRecord>()

  constructor (records: readonly MatchRecord[]) {
    for (const r of records) {
      this.byId.set(r.id, r)
      this.byContent.set(r.contentId, r)
    }
  }

  async get (id: string): Promise<MatchRecord | undefined> {
    return this.byId.get(id)
  }

  async latestFor (contentId: string): Promise<MatchRecord | undefined> {
    return this.byContent.get(contentId)
  }
}
