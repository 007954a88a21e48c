/** What a command prints with `--json` when it fails. */
export interface JsonFailure { error: { code: string, reason?: string } }

/** The error code of a failed command's `--json` output. */
export function errorCode (out: string): string {
  return (JSON.parse(out) as JsonFailure).error.code
}
