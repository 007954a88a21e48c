import type { EvidenceReport } from '../node/evidenceApi.js'

/** `hashmesh evidence verify`, for people: who made the bundle, each check, the notices, the outcome. */
export function formatEvidenceReport (r: EvidenceReport, file: string): string[] {
  const failed = r.checks.filter(c => !c.ok).length
  const width = Math.max(0, ...r.checks.map(c => c.check.length))
  return [
    `evidence bundle ${file}`,
    ...(r.node === undefined ? [] : [`made by node ${r.node.publisherKey} (network ${r.node.network}) at ${r.createdAt ?? '?'}`]),
    ...r.checks.map(c => `${c.ok ? 'ok  ' : 'FAIL'}  ${c.check.padEnd(width)}  ${c.subject}: ${c.message}`),
    ...(r.notices.length === 0 ? [] : ['notices (facts, not damage):', ...r.notices.map(n => `  ${n}`)]),
    failed === 0 ? `verified: all ${r.checks.length} checks passed` : `FAILED: ${failed} of ${r.checks.length} checks failed`
  ]
}
