import type { Problem, VerifyReport } from '../node/auditApi.js'
import { aligned } from './context.js'

/** `hashmesh audit verify`, for people: what was checked, the audit head to keep, every problem. */

function problemLine (p: Problem): string {
  const where = [p.publisher === undefined ? '' : `publisher ${p.publisher}`, p.seq === undefined ? '' : `seq ${p.seq}`,
    p.key === undefined ? '' : `key ${p.key}`]
    .filter(w => w !== '').join(' ')
  return `  [${p.check}] ${p.code}${where === '' ? '' : ` ${where}`}: ${p.message}`
}

export function formatVerifyReport (r: VerifyReport, how: string): string[] {
  const c = r.checked
  const signatures = c.signatures === c.batches ? 'all signatures verified' : `${c.signatures} signatures verified`
  const total = r.problems.length + r.problemsOmitted
  const expected = r.expectedHead === undefined
    ? []
    : [r.expectedHead.seq === null
        ? `expected head ${r.expectedHead.hash}: NOT in the log`
        : `expected head ${r.expectedHead.hash}: record ${r.expectedHead.seq}, the log up to it is intact`]
  return [
    how,
    'checked',
    ...aligned([
      ['batches', `${c.batches} (${signatures})`],
      ['entries', `${c.entries} (${c.indexRows} index rows)`],
      ['publishers', `${c.publishers} (${c.heads} heads)`],
      ['equivocations', String(c.equivocations)],
      ['forum records', String(c.forumRecords)],
      ['allowlist', String(c.allowlistEntries)],
      ['audit records', String(c.auditRecords)]
    ], '  '),
    `audit head: seq ${r.auditHead.seq} ${r.auditHead.hash}`,
    `  keep this hash somewhere else; hashmesh audit verify --expect-head ${r.auditHead.hash} later shows the log up to it is unchanged`,
    ...expected,
    ...(r.notices.length === 0 ? [] : ['notices (changes, not damage):', ...r.notices.map(problemLine)]),
    total === 0 ? 'problems: none' : `problems: ${total}${r.problemsOmitted > 0 ? ` (the first ${r.problems.length} listed)` : ''}`,
    ...r.problems.map(problemLine)
  ]
}
