import { HashmeshError } from '../../errors.js'

/** A bad line in a publish input file. The message starts with `source:line:` like a compiler's. */
export class InputError extends HashmeshError<'BAD_INPUT'> {
  readonly line: number

  constructor (source: string, line: number, reason: string, options?: { cause?: unknown }) {
    super('BAD_INPUT', `${source}:${line}: ${reason}`, options)
    this.line = line
  }
}
