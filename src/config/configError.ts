import { HashmeshError } from '../errors.js'

/** INVALID_CONFIG: a value is wrong or unknown. UNREADABLE_CONFIG: a file could not be read or parsed. */
export type ConfigErrorCode = 'INVALID_CONFIG' | 'UNREADABLE_CONFIG'

/** One bad field: its dotted path, where its value came from and what is wrong with it. */
export interface ConfigIssue {
  path: string
  source: string
  message: string
}

export class ConfigError extends HashmeshError<ConfigErrorCode> {
  readonly issues: readonly ConfigIssue[]

  constructor (code: ConfigErrorCode, message: string, issues: readonly ConfigIssue[] = [], options?: { cause?: unknown }) {
    super(code, message, options)
    this.issues = issues
  }

  static fromIssues (issues: readonly ConfigIssue[]): ConfigError {
    const message = issues.map(i => `${i.source}: ${i.path === '' ? '(root)' : i.path}: ${i.message}`).join('; ')
    return new ConfigError('INVALID_CONFIG', message, issues)
  }
}
