import { pino, type Logger, type LevelWithSilent } from 'pino'

export type { Logger }

/**
 * The one logger: JSON lines on stdout (or a given fd). Secrets are redacted by path as a second line
 * of defence; the first is never putting them in a log call.
 */
export function createLogger (opts: { level?: LevelWithSilent, name?: string, fd?: number } = {}): Logger {
  return pino({
    name: opts.name ?? 'hashmesh',
    level: opts.level ?? 'info',
    redact: {
      paths: ['secretKey', '*.secretKey', 'privateKey', '*.privateKey', 'token', '*.token', 'authorization', '*.authorization', 'secret', '*.secret'],
      censor: '[redacted]'
    }
  }, pino.destination({ fd: opts.fd ?? 1, sync: false }))
}

export function silentLogger (): Logger {
  return pino({ level: 'silent' })
}
