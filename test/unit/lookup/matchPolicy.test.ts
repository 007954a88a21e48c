import assert from 'node:assert/strict'
import fc from 'fast-check'
import { aggregateRows } from '../../../src/lookup/hashAggregate.js'
import { DEFAULT_MATCH_POLICY, type MatchPolicyOptions, type PolicyInput, matchVerdict } from '../../../src/lookup/matchPolicy.js'
import { Action } from '../../../src/wire/types.js'

/** One current row per publisher; `org` names the organisation (publisher key otherwise). */
interface TestRow { p: string, org?: string, action: Action, labels?: readonly string[] }

function hash (rows: readonly TestRow[], allowlisted?: PolicyInput['allowlisted']): PolicyInput {
  const aggregate = aggregateRows(rows.map(r => ({
    publisher: r.p,
    ...(r.org === undefined ? {} : { organisation: r.org }),
    action: r.action,
    labels: r.labels ?? [],
    current: true
  })))
  return { ...aggregate, allowlisted }
}

const policy = (p: Partial<MatchPolicyOptions>): MatchPolicyOptions => ({ ...DEFAULT_MATCH_POLICY, ...p })

describe('lookup: local match policy', () => {
  it('a listed hash matches by default, saying who lists it', () => {
    const v = matchVerdict(hash([
      { p: 'k1', org: 'Acme', action: Action.ADD },
      { p: 'k2', org: 'Beta', action: Action.ADD },
      { p: 'k3', org: 'Acme', action: Action.ADD }
    ]))
    assert.deepEqual(v, { match: true, reasons: ['listed by 2 organisations (Acme, Beta)'] })
  })

  it('not listed never matches: retracted, or only opinions', () => {
    const v = matchVerdict(hash([{ p: 'k1', org: 'Acme', action: Action.RETRACT }]))
    assert.deepEqual(v, { match: false, reasons: ['not listed: retracted by 1 organisation (Acme)'] })
    assert.equal(matchVerdict(hash([{ p: 'k1', action: Action.CONFIRM }])).match, false)
  })

  it('an allowlisted hash never matches, whoever lists it', () => {
    const allowlisted = { note: 'stock photo', author: 'alice@ops', addedAt: '2024-01-01T00:00:00.000Z' }
    const v = matchVerdict(hash([{ p: 'k1', org: 'Acme', action: Action.ADD }], allowlisted))
    assert.deepEqual(v, { match: false, reasons: ['allowlisted by alice@ops: stock photo'] })
  })

  it('ignores a hash once the threshold of organisations report it a false positive; 0 never does', () => {
    const reported = hash([
      { p: 'k1', org: 'Acme', action: Action.ADD },
      { p: 'k2', org: 'Beta', action: Action.FALSE_POSITIVE },
      { p: 'k3', org: 'Beta', action: Action.FALSE_POSITIVE }
    ])
    assert.equal(matchVerdict(reported, policy({ falsePositiveThreshold: 0 })).match, true)
    assert.equal(matchVerdict(reported, policy({ falsePositiveThreshold: 2 })).match, true, 'two keys of Beta are one organisation')
    const v = matchVerdict(reported, policy({ falsePositiveThreshold: 1 }))
    assert.equal(v.match, false)
    assert.match(v.reasons[0]!, /^reported a false positive by 1 organisation \(Beta\)/)
  })

  it('a label needing K confirmations matches only with K confirming organisations', () => {
    const p = policy({ confirmationsRequired: { csam: 2 } })
    const listed = [{ p: 'k1', org: 'Acme', action: Action.ADD, labels: ['csam'] }]
    const one = matchVerdict(hash([...listed, { p: 'k2', org: 'Beta', action: Action.CONFIRM }, { p: 'k3', org: 'Beta', action: Action.CONFIRM }]), p)
    assert.deepEqual(one, { match: false, reasons: ['label csam needs 2 confirming organisations; 1 confirm (Beta)'] })
    const two = matchVerdict(hash([...listed, { p: 'k2', org: 'Beta', action: Action.CONFIRM }, { p: 'k4', action: Action.CONFIRM }]), p)
    assert.equal(two.match, true)
    assert.deepEqual(two.reasons, ['listed by 1 organisation (Acme)', 'label csam needs 2 confirming organisations; 2 confirm (Beta, k4)'])
    assert.equal(matchVerdict(hash([{ p: 'k1', action: Action.ADD, labels: ['other'] }]), p).match, true, 'other labels need nothing')
  })

  it('a label is checked whichever current add carries it, and only own keys of the policy count', () => {
    const p = policy({ confirmationsRequired: { csam: 1 } })
    assert.equal(matchVerdict(hash([{ p: 'k1', action: Action.ADD }, { p: 'k2', action: Action.ADD, labels: ['csam'] }]), p).match, false)
    assert.equal(matchVerdict(hash([{ p: 'k1', action: Action.ADD, labels: ['constructor', 'toString'] }]), p).match, true)
  })

  it('reports every refusal, not just the first', () => {
    const rows = [{ p: 'k1', action: Action.ADD, labels: ['csam'] }, { p: 'k2', action: Action.FALSE_POSITIVE }]
    const v = matchVerdict(hash(rows, { note: 'n', author: 'a', addedAt: '' }),
      policy({ falsePositiveThreshold: 1, confirmationsRequired: { csam: 1 } }))
    assert.equal(v.match, false)
    assert.equal(v.reasons.length, 3)
  })

  it('matches exactly when listed, not allowlisted, under the threshold and confirmed enough (property)', () => {
    const row = fc.record({
      p: fc.constantFrom('k1', 'k2', 'k3', 'k4'),
      org: fc.option(fc.constantFrom('Acme', 'Beta'), { nil: undefined }),
      action: fc.constantFrom(...Object.values(Action)),
      labels: fc.constantFrom([], ['csam'], ['ncii'])
    })
    const options = fc.record({
      falsePositiveThreshold: fc.integer({ min: 0, max: 4 }),
      confirmationsRequired: fc.dictionary(fc.constantFrom('csam', 'ncii', 'terror'), fc.integer({ min: 1, max: 4 }))
    })
    fc.assert(fc.property(fc.uniqueArray(row, { selector: r => r.p, maxLength: 4 }), fc.boolean(), options, (rows, allowlisted, p) => {
      const withLabels = rows.map(r => ({ ...r, labels: r.action === Action.ADD ? r.labels : [] }))
      const h = hash(withLabels, allowlisted ? { note: 'n', author: 'a', addedAt: '' } : undefined)
      const labels = new Set(h.addedBy.flatMap(a => a.labels))
      const confirmedEnough = [...labels].every(l => h.opinions.confirm.count >= (p.confirmationsRequired[l] ?? 0))
      const underThreshold = p.falsePositiveThreshold === 0 || h.opinions.falsePositive.count < p.falsePositiveThreshold
      const v = matchVerdict(h, p)
      assert.equal(v.match, h.listed && !allowlisted && underThreshold && confirmedEnough)
      assert.ok(v.reasons.length > 0)
    }), { numRuns: 500 })
  })
})
