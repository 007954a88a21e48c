import type { NodeStatus } from '../node/interface.js'

type CatchUp = NodeStatus['catchUp'][number]

/** Redraws often enough to look alive, rarely enough to cost nothing next to a sync. */
export const BAR_REFRESH_MS = 500
const BAR_WIDTH = 30

/** One terminal line for the catch-ups under way, or '' when there are none. */
export function formatCatchUp (catchUp: readonly CatchUp[]): string {
  if (catchUp.length === 0) return ''
  const done = catchUp.reduce((n, c) => n + c.currentSeq, 0)
  const target = catchUp.reduce((n, c) => n + c.targetSeq, 0)
  const rate = catchUp.reduce((n, c) => n + c.batchesPerSecond, 0)
  const filled = target === 0 ? 0 : Math.min(BAR_WIDTH, Math.round(BAR_WIDTH * done / target))
  const eta = rate > 0 ? ` ETA ${Math.ceil((target - done) / rate)} s` : ''
  const who = catchUp.length === 1 ? `publisher ${catchUp[0]!.publisher.slice(0, 12)}…` : `${catchUp.length} publishers`
  return `catching up [${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}] ${done}/${target} batches, ${rate.toFixed(1)}/s${eta} (${who})`
}

/**
 * Draws the catch-up on one terminal line while a sync is under way; only on a TTY, so logs and
 * scripts never see it. Returns a function that stops it and clears the line.
 */
export function showCatchUpBar (source: { status: () => Promise<NodeStatus> }, out: NodeJS.WriteStream): () => void {
  if (!out.isTTY) return () => {}
  let shown = false
  const draw = (line: string): void => {
    if (line === '' && !shown) return
    out.write(`\r\x1b[2K${line}`)
    shown = line !== ''
  }
  const timer = setInterval(() => {
    source.status().then(s => { draw(formatCatchUp(s.catchUp)) }, () => {})
  }, BAR_REFRESH_MS)
  timer.unref()
  return () => {
    clearInterval(timer)
    draw('')
  }
}
