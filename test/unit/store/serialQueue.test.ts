import assert from 'node:assert/strict'
import fc from 'fast-check'
import { SerialQueue } from '../../../src/store/serialQueue.js'

/** Resolves after `turns` macrotask turns, so tasks of different lengths would overlap if they could. */
async function turns (n: number): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise(resolve => setImmediate(resolve))
}

describe('SerialQueue', () => {
  it('runs tasks one at a time, in call order, whatever their lengths', async () => {
    await fc.assert(fc.asyncProperty(fc.array(fc.nat(5), { minLength: 1, maxLength: 20 }), async lengths => {
      const queue = new SerialQueue()
      const events: string[] = []
      let running = 0
      await Promise.all(lengths.map(async (n, i) => {
        await queue.run(async () => {
          running++
          assert.equal(running, 1, 'two tasks overlapped')
          events.push(`start ${i}`)
          await turns(n)
          events.push(`end ${i}`)
          running--
        })
      }))
      assert.deepEqual(events, lengths.flatMap((_, i) => [`start ${i}`, `end ${i}`]))
    }), { numRuns: 50 })
  })

  it('a failing task rejects only its own call; later tasks run and keep their order', async () => {
    await fc.assert(fc.asyncProperty(fc.array(fc.boolean(), { minLength: 1, maxLength: 20 }), async failures => {
      const queue = new SerialQueue()
      const ran: number[] = []
      const settled = await Promise.allSettled(failures.map(async (fails, i) => await queue.run(async () => {
        ran.push(i)
        await turns(1)
        if (fails) throw new Error(`task ${i}`)
        return i
      })))
      assert.deepEqual(ran, failures.map((_, i) => i))
      settled.forEach((s, i) => {
        if (failures[i] === true) assert.equal(s.status === 'rejected' && (s.reason as Error).message, `task ${i}`)
        else assert.deepEqual(s, { status: 'fulfilled', value: i })
      })
    }), { numRuns: 50 })
  })

  it('drain waits for the tasks queued before it, even failing ones', async () => {
    const queue = new SerialQueue()
    const done: string[] = []
    const failing = queue.run(async () => { await turns(3); done.push('a'); throw new Error('a') })
    failing.catch(() => undefined)
    void queue.run(async () => { await turns(2); done.push('b') })
    await queue.drain()
    assert.deepEqual(done, ['a', 'b'])
  })
})
