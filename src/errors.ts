/**
 * Base of every typed error in hashmesh. `code` is stable: tests, metrics labels and the HTTP/CLI
 * adapters switch on it, never on the message.
 */
export class HashmeshError<C extends string = string> extends Error {
  readonly code: C

  constructor (code: C, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.code = code
    this.name = new.target.name
  }
}
