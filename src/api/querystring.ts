/** A query-string number the schema has already restricted to digits. */
export function optionalInteger (text: string | undefined): number | undefined {
  return text === undefined ? undefined : Number(text)
}
