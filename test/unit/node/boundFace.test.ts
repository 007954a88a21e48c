import assert from 'node:assert/strict'
import { boundFace } from '../../../src/node/boundFace.js'

interface Counter { add: (n: number) => number, total: () => number }

class CounterService implements Counter {
  private sum = 0
  add (n: number): number { this.sum += n; return this.sum }
  total (): number { return this.sum }
  reset (): void { this.sum = 0 }
}

describe('boundFace', function () {
  it('copies the face\'s methods as own properties bound to the service, and nothing else', function () {
    const service = new CounterService()
    const face = boundFace<Counter>(service, { add: true, total: true })
    const { add, total } = Object.assign({}, face)
    add(2)
    add(3)
    assert.equal(total(), 5)
    assert.equal(service.total(), 5)
    assert.deepEqual(Object.keys(face).sort(), ['add', 'total'])
  })
})
