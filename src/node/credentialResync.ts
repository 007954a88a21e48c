import type { Startable } from '../network/startable.js'

/** The event the forum sink raises on `arrivals` when a peer's record brought a credential. */
export const CREDENTIAL_ARRIVED = 'credential'

/**
 * A credential arriving can make acceptable what this node refused a moment ago (batches gossiped
 * before the credential reached it): one sync round with every peer soon after, once per burst of
 * records (a forum sync brings them all at once). It hears of credentials by event because the
 * forum sink is built before sync, which it feeds.
 */
export class CredentialResync implements Startable {
  private readonly arrivals: EventTarget
  private readonly sync: { syncAllConnected: () => void }
  private readonly afterMs: number
  private timer: NodeJS.Timeout | undefined

  constructor (components: { arrivals: EventTarget, sync: { syncAllConnected: () => void } }, options: { afterMs: number }) {
    this.arrivals = components.arrivals
    this.sync = components.sync
    this.afterMs = options.afterMs
  }

  start (): void {
    this.arrivals.addEventListener(CREDENTIAL_ARRIVED, this.onArrival)
  }

  stop (): void {
    this.arrivals.removeEventListener(CREDENTIAL_ARRIVED, this.onArrival)
    clearTimeout(this.timer)
    this.timer = undefined
  }

  private readonly onArrival = (): void => {
    if (this.timer !== undefined) return
    this.timer = setTimeout(() => {
      this.timer = undefined
      this.sync.syncAllConnected()
    }, this.afterMs).unref()
  }
}
