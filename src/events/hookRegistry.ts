import { randomBytes } from 'node:crypto'
import { chmod, mkdir, readFile, readdir, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { writeSecretFile } from '../crypto/secretFile.js'
import type { Logger } from '../logger.js'
import type { AuditAppender } from '../store/auditEntry.js'
import { HOOK_ID_BYTES } from '../store/hookLimits.js'
import type { HashStore, StoreOp } from '../store/hashStore.js'
import { SerialQueue } from '../store/serialQueue.js'
import { EVENT_TYPES, type EventType } from './hashmeshEvent.js'
import { HookError } from './hookError.js'
import { MAX_HOOKS, checkHookEvents, checkHookSecret, checkHookUrl, hookIdText, parseHookId } from './hookRules.js'

/** A registered receiver. The secret is never part of it: only `secretOf` hands it out, to sign. */
export interface Hook {
  id: Uint8Array
  /** hook_<16 hex>. */
  idText: string
  url: string
  events: EventType[]
  createdAtMs: number
}

export interface HookAddInput { url: string, events: readonly string[], secret: string }

const SECRET_SUFFIX = '.secret'

export interface HookRegistryComponents {
  store: HashStore
  audit: AuditAppender
  logger: Logger
  /** The directory of the secret files (data dir/hooks), created 0700. */
  secretsDir: string
  now?: () => number
}

/**
 * The receivers events go to. Records live in the hook bucket, each secret in a 0600 file of its
 * own beside the store: a copy of the LevelDB (a backup, a store handed over for a bug report)
 * then carries no secret, and the files get the same protection as the node's keys. A secret file
 * is written before its record and removed after it, so a crash in between leaves at worst a file
 * with no record, removed at the next load.
 */
export class HookRegistry {
  private readonly c: Required<HookRegistryComponents>
  private readonly hooks = new Map<string, Hook>()
  /** Subscribers per type, asked once per event on the ingest path; rebuilt on every edit. */
  private byType = new Map<EventType, Hook[]>()
  private readonly secrets = new Map<string, Uint8Array>()
  /** One edit at a time, so two adds cannot both pass MAX_HOOKS. */
  private readonly edits = new SerialQueue()

  private constructor (components: HookRegistryComponents) {
    this.c = { now: Date.now, ...components }
  }

  static async load (components: HookRegistryComponents): Promise<HookRegistry> {
    const registry = new HookRegistry(components)
    await registry.load()
    return registry
  }

  private async load (): Promise<void> {
    await mkdir(this.c.secretsDir, { recursive: true, mode: 0o700 })
    await chmod(this.c.secretsDir, 0o700)
    for await (const [id, record] of this.c.store.repositories.hook.entries()) {
      // A name this version does not know (a newer node wrote it) is skipped, not fatal.
      const events = record.events.filter((e): e is EventType => (EVENT_TYPES as readonly string[]).includes(e))
      const hook: Hook = { id, idText: hookIdText(id), url: record.url, events, createdAtMs: record.createdAtMs }
      this.hooks.set(hook.idText, hook)
    }
    for (const name of await readdir(this.c.secretsDir)) {
      const idText = name.endsWith(SECRET_SUFFIX) ? name.slice(0, -SECRET_SUFFIX.length) : undefined
      if (idText !== undefined && !this.hooks.has(idText)) await rm(join(this.c.secretsDir, name), { force: true })
    }
    this.indexByType()
  }

  list (): Hook[] {
    return [...this.hooks.values()].sort((a, b) => a.createdAtMs - b.createdAtMs || a.idText.localeCompare(b.idText))
  }

  get size (): number {
    return this.hooks.size
  }

  get (idText: string): Hook | undefined {
    return this.hooks.get(idText)
  }

  /** The hooks that asked for events of this type. */
  subscribers (type: EventType): readonly Hook[] {
    return this.byType.get(type) ?? []
  }

  private indexByType (): void {
    const hooks = this.list()
    this.byType = new Map(EVENT_TYPES.map(t => [t, hooks.filter(h => h.events.includes(t))]))
  }

  /** The HMAC key of a hook; undefined when its file is gone (a delivery then fails and is retried). */
  async secretOf (hook: Hook): Promise<Uint8Array | undefined> {
    const cached = this.secrets.get(hook.idText)
    if (cached !== undefined) return cached
    try {
      const secret = checkHookSecret(await readFile(this.secretPath(hook.idText), 'utf8'))
      this.secrets.set(hook.idText, secret)
      return secret
    } catch (err) {
      this.c.logger.error({ hook: hook.idText, code: (err as { code?: unknown }).code },
        'hook secret file missing or unreadable; deliveries to it fail until it is re-added')
      return undefined
    }
  }

  /** Checks, writes the secret file, then the record with its audit entry in one atomic write. */
  async add (input: HookAddInput, actor: string): Promise<Hook> {
    const url = checkHookUrl(input.url)
    const events = checkHookEvents(input.events)
    checkHookSecret(input.secret)
    return await this.edits.run(async () => {
      if (this.hooks.size >= MAX_HOOKS) throw new HookError('TOO_MANY_HOOKS', `${MAX_HOOKS} hooks are registered, the most a node keeps; remove one first`)
      const id = randomBytes(HOOK_ID_BYTES)
      const hook: Hook = { id, idText: hookIdText(id), url, events, createdAtMs: this.c.now() }
      const path = this.secretPath(hook.idText)
      await writeSecretFile(path, input.secret)
      try {
        const put = this.c.store.repositories.hook.putOp(id, { url, events, createdAtMs: hook.createdAtMs })
        await this.c.store.writeAtomically(async () => [put, ...await this.c.audit.opsFor({ actor, action: 'hooks.add', details: auditDetails(hook) })])
      } catch (err) {
        await rm(path, { force: true })
        throw err
      }
      this.hooks.set(hook.idText, hook)
      this.indexByType()
      return hook
    })
  }

  /**
   * Removes the hook, its pending deliveries (`extra`, in the same atomic write as the record and
   * its audit entry), then its secret file. Throws NO_SUCH_HOOK.
   */
  async remove (idText: string, actor: string, extra: (hook: Hook) => Promise<StoreOp[]>): Promise<Hook> {
    parseHookId(idText)
    return await this.edits.run(async () => {
      const hook = this.hooks.get(idText)
      if (hook === undefined) throw new HookError('NO_SUCH_HOOK', `no hook ${idText}`)
      await this.c.store.writeAtomically(async () => [
        this.c.store.repositories.hook.delOp(hook.id),
        ...await extra(hook),
        ...await this.c.audit.opsFor({ actor, action: 'hooks.remove', details: auditDetails(hook) })
      ])
      this.hooks.delete(idText)
      this.indexByType()
      this.secrets.delete(idText)
      await rm(this.secretPath(idText), { force: true })
      return hook
    })
  }

  private secretPath (idText: string): string {
    return join(this.c.secretsDir, `${idText}${SECRET_SUFFIX}`)
  }
}

/** Never the secret. */
function auditDetails (hook: Hook): Record<string, unknown> {
  return { hook: hook.idText, url: hook.url, events: hook.events }
}
