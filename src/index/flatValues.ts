/**
 * Values of one length collected end to end while the store is scanned, handed to a bulk build:
 * ten million separate small arrays would cost a gigabyte of object headers at start.
 */
export class FlatValues implements Iterable<Uint8Array> {
  length = 0
  private bytes: Uint8Array
  private readonly width: number

  constructor (width: number) {
    this.width = width
    this.bytes = new Uint8Array(width * 1024)
  }

  push (value: Uint8Array): void {
    if ((this.length + 1) * this.width > this.bytes.length) {
      const grown = new Uint8Array(this.bytes.length * 2)
      grown.set(this.bytes)
      this.bytes = grown
    }
    this.bytes.set(value, this.length++ * this.width)
  }

  * [Symbol.iterator] (): Iterator<Uint8Array> {
    for (let i = 0; i < this.length; i++) yield this.bytes.subarray(i * this.width, (i + 1) * this.width)
  }
}
