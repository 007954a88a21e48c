import type { Logger } from '../logger.js'
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
    overrides: [...options.forum.overrides].sort((a, b) => a.key.localeCompare(b.key)).map(o => ({ key: o.key, reason: o.reason })),
    falsePositiveThreshold: options.policy.falsePositiveThreshold,
    confirmationsRequired: Object.fromEntries(Object.keys(required).sort().map(k => [k, required[k]]))
  }
}

/** Whether the settings were recorded: never before (a new store), again (they changed), or not at all. */
export type TrustSettingsRecord = 'first' | 'changed' | 'unchanged'

/**
 * Trust changes are made in config, not through the API, so the node notices them at start: when the
 * trust list, forum roots, overrides or match policy differ from the last ones it recorded, it
 * appends them to the audit log. These records are also the history of the roots the node ran with,
 * which offline verify reads when it has no config.
 */
export async function recordTrustSettings (log: AuditLog, options: NodeOptions): Promise<TrustSettingsRecord> {
  const settings = trustSettings(options)
  const last = await log.latest('config.trust')
  if (last !== undefined && JSON.stringify(last.details) === JSON.stringify(settings)) return 'unchanged'
  const fresh = last === undefined && (await log.head()).seq === 0
  await log.append({ actor: CONFIG_ACTOR, action: 'config.trust', details: settings })
  // Only an empty log is a new store: settings recorded beyond latest()'s reach are not a first start.
  return fresh ? 'first' : 'changed'
}

const RECORDED_MESSAGE: Readonly<Record<TrustSettingsRecord, string | undefined>> = {
  first: 'first start: trust settings recorded in the audit log',
  changed: 'trust settings changed since the last start; recorded in the audit log',
  unchanged: undefined
}

/**
 * At start: records the trust settings, says so, and warns when the config lists trust keys beside
 * forum roots, which count for nothing there (an operator who once listed a member must learn that
 * its revocation now wins, and how to override it if that is really meant).
 */
export async function announceTrustSettings (log: AuditLog, options: NodeOptions, logger: Logger): Promise<void> {
  const message = RECORDED_MESSAGE[await recordTrustSettings(log, options)]
  if (message !== undefined) logger.info(message)
  const { roots, overrides } = options.forum
  if (roots.length > 0 && options.trust.length > 0) {
    logger.warn({ ignoredTrust: options.trust },
      'forum roots are configured, so the trust list is ignored: these keys count only as the forum admits them. ' +
      'To accept one whatever the forum says, add it to forum.overrides with a reason')
  }
  if (overrides.length > 0) {
    logger.warn({ overrides: overrides.map(o => o.key) }, 'forum.overrides: these keys are accepted whatever the forum says, on this node\'s own decision')
  }
}
