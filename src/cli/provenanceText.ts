import type { ProvenanceEvent, ProvenanceReport, Via } from '../node/auditApi.js'
import { aligned } from './context.js'

/** `hashmesh audit hash`, for people: each event as a block, oldest first, then opinions, then the verdict. */

function viaText (via: Via): string {
  if (via.path === 'local') return '(published on this node)'
  if (via.path === 'unknown') return 'from an unrecorded source'
  return `by ${via.path} from ${via.peer ?? '?'}`
}

function whoText (e: ProvenanceEvent): string {
  return e.organisation === undefined ? e.publisher : `${e.organisation} (${e.publisher})`
}

function standingText (e: ProvenanceEvent): string {
  const credential = e.serial === undefined ? '' : `, credential ${e.serial}${e.root === undefined ? '' : ` from root ${e.root}`}`
  return `${e.standing}${credential}${e.visible ? '' : ' (not counted under this node\'s policy)'}${e.publisherEquivocating ? ', publisher EQUIVOCATING' : ''}`
}

function signatureText (e: ProvenanceEvent): string {
  switch (e.signature) {
    case 'valid': return 'valid (re-verified from the stored batch)'
    case 'invalid': return 'INVALID: the stored batch does not verify or does not carry this entry (run hashmesh audit verify)'
    case 'missing': return 'MISSING: the batch is not stored (run hashmesh audit verify)'
  }
}

function eventBlock (e: ProvenanceEvent): string[] {
  const reason = e.reason === undefined ? '' : ` (reason ${e.reason})`
  return [
    `${e.createdAt}  ${e.action}${reason} by ${whoText(e)}`,
    ...aligned([
      ...(e.kind === 'hash' ? [['labels', e.labels.length > 0 ? e.labels.join(';') : '-'] as [string, string]] : []),
      ['standing', standingText(e)],
      ['batch', `seq ${e.seq}, position ${e.position}, id ${e.batchId}`],
      ['signature', signatureText(e)],
      ['received', `${e.receivedAt} ${viaText(e.via)}`],
      ['current', e.current ? 'yes' : 'no: a later entry of this publisher supersedes it']
    ], '  ')
  ]
}

function section (title: string, events: readonly ProvenanceEvent[]): string[] {
  if (events.length === 0) return [`${title}: none`]
  return [`${title}:`, ...events.flatMap(e => ['', ...eventBlock(e)])]
}

export function formatProvenance (r: ProvenanceReport): string[] {
  const hashEvents = r.events.filter(e => e.kind === 'hash')
  const opinions = r.events.filter(e => e.kind === 'opinion')
  const allowlisted = r.allowlisted === undefined ? [] : [`allowlisted by ${r.allowlisted.author} at ${r.allowlisted.addedAt}: ${r.allowlisted.note}`]
  return [
    `${r.type} ${r.value}: ${r.verdict.listed ? 'listed' : 'not listed'}, ${r.verdict.match ? 'a match' : 'no match'} under this node's policy`,
    ...(r.truncated ? ['(more entries exist than one report holds; these are the first)'] : []),
    '',
    ...section('events', hashEvents),
    '',
    ...section('opinions', opinions),
    '',
    `verdict: ${r.verdict.match ? 'match' : 'no match'}`,
    ...r.verdict.reasons.map(reason => `  - ${reason}`),
    ...allowlisted
  ]
}
