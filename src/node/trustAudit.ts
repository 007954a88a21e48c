import type { AuditLog } from '../store/auditLog.js'
import type { NodeOptions } from './options.js'

/** Who the audit log names for a change made by editing config and restarting. */
const CONFIG_ACTOR = 'config'

/** The settings that decide whose word counts here, in a stable order so that equal means unchanged. */
function trustSettings (options: NodeOptions): Record<string, unknown> {
  const required = options.policy.confirmationsRequired
  return {
    trust: [...options.trust].sort(),
    roots: [...options.forum.roots].sort(),
    revokedEntries: options.forum.revokedEntries,
    falsePositiveThreshold: options.policy.falsePositiveThreshold,
    confirmationsRequired: Object.fromEntries(Object.keys(required).sort().map(k => [k, required[k]]))
  }
}

/**
 * Trust changes are made in config, not through the API, so the node notices them at start: when the
 * trust list, forum roots or match policy differ from the last ones it recorded, it appends them to
 * the audit log. Returns whether it did.
 */
export async function recordTrustSettings (log: AuditLog, options: NodeOptions): Promise<boolean> {
  const settings = trustSettings(options)
  const last = await log.latest('config.trust')
  if (last !== undefined && JSON.stringify(last.details) === JSON.stringify(settings)) return false
  await log.append({ actor: CONFIG_ACTOR, action: 'config.trust', details: settings })
  return true
}
