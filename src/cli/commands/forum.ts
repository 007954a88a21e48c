import { mkdir, stat } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import type { Command } from 'commander'
import type { Env } from '../../config/env.js'
import { dataDirPaths } from '../../node/dataDirPaths.js'
import { generateSecretKey, sign } from '../../crypto/ed25519.js'
import { SecretFileError, writeSecretFile } from '../../crypto/secretFile.js'
import { type ForumRecordSummary, summariseRecord } from '../../forum/recordSummary.js'
import type { ForumInfo, ForumSubmitResult, MemberInfo, RevocationInfo } from '../../node/forumApi.js'
import type { NodeStatus } from '../../node/interface.js'
import { parseHexBytes, toHex } from '../../signals/hex.js'
import { WireError } from '../../wire/errors.js'
import { decodeSignedForumRecord, encodeForumRecordBody, encodeSignedForumRecord } from '../../wire/forumCodec.js'
import { MAX_REVOCATION_REASON_CHARS, ORGANISATION_PATTERN, PUBLIC_KEY_BYTES } from '../../wire/limits.js'
import { type DecodedForumRecord, type ForumRecord, ROLES, type Role } from '../../wire/types.js'
import { type CliContext, aligned, printJson, printLines } from '../context.js'
import { parseDate } from '../dates.js'
import { CliError } from '../errors.js'
import { readKeyRotationFile, shortKey, writeHexFile } from '../forumFiles.js'
import { NodeClient } from '../nodeClient.js'
import { locateNode } from '../nodeLocator.js'
import { type ClientOptions, clientOptions, jsonOption } from '../options.js'
import { ROOT_KEY_FILE, ROOT_KEY_VAR, type RootKey, loadRootKey, rootKeyPath } from '../rootKey.js'
import { type SigningConfig, type SigningOptions, loadSigningConfig } from '../signingConfig.js'

interface SignOptions extends ClientOptions, SigningOptions {
  rootKey?: string
  out?: string
  force?: boolean
  offline?: boolean
}

interface AdmitOptions extends SignOptions {
  org: string
  roles: string
  until: string
  from?: string
  serial?: string
  rotation?: string
}

interface RevokeOptions extends SignOptions {
  serial?: string
  reason?: string
  at?: string
  lastSeq?: string
}

/** Inside the operator's data dir: where admit and revoke keep what they sign unless told otherwise. */
export const FORUM_RECORDS_DIR = 'forum-records'

export function parsePublicKey (text: string, what: string): Uint8Array {
  const key = parseHexBytes(text, PUBLIC_KEY_BYTES)
  if (key === undefined) throw new CliError('USAGE', `${what} must be ${PUBLIC_KEY_BYTES * 2} hex characters (an Ed25519 public key)`)
  return key
}

function parseInteger (text: string, flag: string, min: number): number {
  if (!/^\d{1,16}$/.test(text) || !Number.isSafeInteger(Number(text)) || Number(text) < min) {
    throw new CliError('USAGE', `${flag} must be an integer from ${min} to 2^53-1, got ${text.slice(0, 20)}`)
  }
  return Number(text)
}

function parseRoles (text: string): Role[] {
  const roles = text.split(',').map(r => r.trim())
  const unknown = roles.filter(r => !(ROLES as readonly string[]).includes(r))
  if (unknown.length > 0 || roles.length === 0 || new Set(roles).size !== roles.length) {
    throw new CliError('USAGE', `--roles must be distinct values of ${ROLES.join(', ')}, comma-separated, got ${JSON.stringify(text.slice(0, 60))}`)
  }
  return roles as Role[]
}

/** The codec checks every rule a receiver would; a record it refuses to build is a usage error here. */
function signRecord (root: RootKey, record: ForumRecord): DecodedForumRecord {
  try {
    const body = encodeForumRecordBody(record)
    return decodeSignedForumRecord(encodeSignedForumRecord(body, sign(body, root.secretKey)))
  } catch (err) {
    if (err instanceof WireError) throw new CliError('USAGE', `cannot sign this record: ${err.message}`, { cause: err })
    throw err
  }
}

async function rootKeyFor (opts: SignOptions, env: Env): Promise<RootKey> {
  return await loadRootKey(rootKeyPath(opts.rootKey, env))
}

/** `--out`, else DIR/forum-records/NAME: a signed record is kept with the operator's data, never dropped in the working directory. */
async function recordFile (opts: SignOptions, dataDir: string, name: string): Promise<string> {
  if (opts.out !== undefined) return opts.out
  const dir = join(dataDir, FORUM_RECORDS_DIR)
  await mkdir(dir, { recursive: true, mode: 0o700 })
  return join(dir, name)
}

async function submit (client: NodeClient, record: DecodedForumRecord): Promise<ForumSubmitResult> {
  return await client.call<ForumSubmitResult>('POST', '/v1/forum/records', { record: toHex(record.signedBytes) })
}

const SUBMITTED_TEXT: Readonly<Record<ForumSubmitResult['code'], string>> = {
  ACCEPTED: 'stored by the node and sent to the forum',
  DUPLICATE: 'the node held it already'
}

function recordRows (s: ForumRecordSummary): Array<[string, string]> {
  return [
    ...(s.organisation === undefined ? [] : [['organisation', s.organisation] as [string, string]]),
    ...(s.roles === undefined ? [] : [['roles', s.roles.join(', ')] as [string, string]]),
    ...(s.validFrom === undefined ? [] : [['valid', `from ${s.validFrom} until ${s.validUntil ?? '?'}`] as [string, string]]),
    ...(s.rotatedFrom === undefined ? [] : [['rotated from', s.rotatedFrom] as [string, string]]),
    ['serial', s.kind === 'revocation' && s.serial === 0 ? '0 (every credential from this root)' : String(s.serial)],
    ...(s.effectiveAt === undefined ? [] : [['effective at', s.effectiveAt] as [string, string]]),
    ...(s.lastSeq === undefined ? [] : [['last seq', s.lastSeq === 0 ? '0 (no seq bound)' : String(s.lastSeq)] as [string, string]]),
    ...(s.reason === undefined || s.reason === '' ? [] : [['reason', s.reason] as [string, string]]),
    ['root', s.root],
    ['network', s.network],
    ['record id', s.recordId]
  ]
}

function report (
  ctx: CliContext, opts: SignOptions, signing: SigningConfig, s: ForumRecordSummary, file: string, submitted: ForumSubmitResult | undefined, notes: string[]
): void {
  if (opts.json === true) return printJson(ctx, { ...s, networkSource: signing.networkSource, file, submitted: submitted?.code ?? null, notes })
  printLines(ctx, [
    `${s.kind} for ${s.member}`,
    ...aligned([...recordRows(s), ['network from', signing.networkSource], ['written to', file],
      ['submitted', submitted === undefined ? 'no (--offline)' : `${submitted.code}: ${SUBMITTED_TEXT[submitted.code]}`]], '  '),
    ...notes
  ])
}

/** A data dir holds a node's keys: a root key there is on a node, which is what its default avoids. */
async function isNodeDataDir (dir: string): Promise<boolean> {
  return await stat(dataDirPaths(dir).publisherKey).then(() => true, () => false)
}

async function init (opts: { key?: string, json?: boolean }, ctx: CliContext): Promise<void> {
  const path = rootKeyPath(opts.key, ctx.env)
  await mkdir(dirname(path), { recursive: true, mode: 0o700 })
  try {
    await writeSecretFile(path, `${toHex(generateSecretKey())}\n`)
  } catch (err) {
    if (err instanceof SecretFileError && err.code === 'SECRET_FILE_EXISTS') {
      throw new CliError('USAGE', `${path} already exists; refusing to replace a forum root key (every credential it signed would lose its root)`)
    }
    throw err
  }
  const rootKey = toHex((await loadRootKey(path)).publicKey)
  if (await isNodeDataDir(dirname(path))) {
    ctx.terminal.err(`hashmesh: warning: ${dirname(path)} is a node's data directory; keep the forum root key off every node\n`)
  }
  if (opts.json === true) {
    printJson(ctx, { rootKey, file: path })
    return
  }
  printLines(ctx, [
    ...aligned([['forum root key', rootKey], ['secret key file', path]]),
    '',
    `Every member starts its node with it:  hashmesh start --forum-root ${rootKey}  (or "forum": { "roots": ["${rootKey}"] } in its config)`,
    `Keep ${path} safe and backed up, off any node: whoever holds it admits and revokes members.`,
    'Admit a member with: hashmesh forum admit <their publisher key> --org NAME --roles publish,consume,opine --until DATE'
  ])
}

async function showRootKey (opts: { key?: string, json?: boolean }, ctx: CliContext): Promise<void> {
  const path = rootKeyPath(opts.key, ctx.env)
  const rootKey = toHex((await loadRootKey(path)).publicKey)
  if (opts.json === true) printJson(ctx, { rootKey, file: path })
  else printLines(ctx, [rootKey])
}

async function admit (pubkey: string, opts: AdmitOptions, ctx: CliContext): Promise<void> {
  const now = Date.now()
  const member = parsePublicKey(pubkey, 'PUBKEY')
  if (!ORGANISATION_PATTERN.test(opts.org)) throw new CliError('USAGE', '--org must be 1-128 printable ASCII characters')
  const roles = parseRoles(opts.roles)
  const validFromMs = opts.from === undefined ? now : parseDate(opts.from, '--from')
  const validUntilMs = parseDate(opts.until, '--until')
  if (validUntilMs <= validFromMs) throw new CliError('USAGE', '--until must be after --from (default: now)')
  const serial = opts.serial === undefined ? now : parseInteger(opts.serial, '--serial', 1)
  const rotation = opts.rotation === undefined ? undefined : await readKeyRotationFile(opts.rotation)
  if (rotation !== undefined && Buffer.compare(rotation.body.newKey, member) !== 0) {
    throw new CliError('USAGE', `${opts.rotation}: the rotation moves to ${toHex(rotation.body.newKey)}, not to PUBKEY`)
  }
  const signing = await loadSigningConfig(opts, ctx.env)
  const { network, dataDir } = signing
  if (rotation !== undefined && rotation.body.network !== network) {
    throw new CliError('USAGE', `${opts.rotation}: the rotation is for network "${rotation.body.network}", not "${network}"`)
  }
  const root = await rootKeyFor(opts, ctx.env)
  const record = signRecord(root, {
    signer: root.publicKey,
    network,
    createdAtMs: now,
    credential: { member, organisation: opts.org, roles, validFromMs, validUntilMs, serial, ...(rotation === undefined ? {} : { rotation }) }
  })
  const file = await recordFile(opts, dataDir, `${shortKey(member)}-${serial}.credential`)
  await writeHexFile(file, record.signedBytes, opts.force === true)
  const submitted = opts.offline === true ? undefined : await submit(new NodeClient(await locateNode(opts, ctx.env, 'admin')), record)
  report(ctx, opts, signing, summariseRecord(record), file, submitted, [submitted === undefined
    ? `Give ${file} to the member; they run: hashmesh join ${file}`
    : 'Every node of the forum learns it by gossip and sync; the member needs to do nothing.'])
}

/** The member's head on the node: its batches up to there keep counting (per revokedEntries), later ones do not. */
async function lastSeqFromNode (client: NodeClient, member: Uint8Array): Promise<number> {
  const status = await client.call<NodeStatus>('GET', '/v1/status')
  return status.publishers.find(p => p.publisher === toHex(member))?.seq ?? 0
}

async function revoke (pubkey: string, opts: RevokeOptions, ctx: CliContext): Promise<void> {
  const now = Date.now()
  const member = parsePublicKey(pubkey, 'PUBKEY')
  const serial = opts.serial === undefined ? 0 : parseInteger(opts.serial, '--serial', 0)
  const effectiveAtMs = opts.at === undefined ? now : parseDate(opts.at, '--at')
  const reason = opts.reason ?? ''
  if (reason.length > MAX_REVOCATION_REASON_CHARS || /[\x00-\x1f\x7f]/.test(reason)) {
    throw new CliError('USAGE', `--reason must be at most ${MAX_REVOCATION_REASON_CHARS} characters without control characters`)
  }
  const signing = await loadSigningConfig(opts, ctx.env)
  const { network, dataDir } = signing
  const root = await rootKeyFor(opts, ctx.env)
  const client = opts.offline === true ? undefined : new NodeClient(await locateNode(opts, ctx.env, 'admin'))
  const notes: string[] = []
  let lastSeq = 0
  if (opts.lastSeq !== undefined) {
    lastSeq = parseInteger(opts.lastSeq, '--last-seq', 0)
  } else if (client !== undefined) {
    lastSeq = await lastSeqFromNode(client, member)
    notes.push(lastSeq === 0
      ? 'The node holds no batches of this member: no seq bound, the cut is --at alone.'
      : `last seq ${lastSeq} is the member's head on the node: its batches after it are refused whatever their date.`)
  } else {
    notes.push('No --last-seq and --offline: no seq bound, the cut is --at alone (the member\'s own clock).')
  }
  const record = signRecord(root, { signer: root.publicKey, network, createdAtMs: now, revocation: { member, serial, effectiveAtMs, lastSeq, reason } })
  const file = await recordFile(opts, dataDir, `${shortKey(member)}-${serial === 0 ? 'all' : serial}-${now}.revocation`)
  await writeHexFile(file, record.signedBytes, opts.force === true)
  const submitted = client === undefined ? undefined : await submit(client, record)
  report(ctx, opts, signing, summariseRecord(record), file, submitted, notes)
}

function memberLines (m: MemberInfo): string[] {
  const notes = [
    ...(m.revokedAt === undefined ? [] : [`revoked from ${m.revokedAt}`]),
    ...(m.rotatedTo === undefined ? [] : [`rotated to ${m.rotatedTo}`]),
    ...(m.rotatedFrom === undefined ? [] : [`rotated from ${m.rotatedFrom}`])
  ]
  return [
    `  ${m.publisher}  ${m.organisation}  ${m.status}`,
    ...aligned([
      ['roles', m.roles.join(', ')],
      ['valid', `from ${m.validFrom} until ${m.validUntil}`],
      ['serial', `${m.serial} (root ${m.root.slice(0, 16)}…)`],
      ...notes.map(n => ['', n] as [string, string])
    ], '    ')
  ]
}

function revocationLine (r: RevocationInfo): string {
  const which = r.serial === 0 ? 'all credentials' : `serial ${r.serial}`
  const seq = r.lastSeq === 0 ? '' : `, after seq ${r.lastSeq}`
  return `  ${r.member}  ${which}  from ${r.effectiveAt}${seq}${r.reason === '' ? '' : `  (${r.reason})`}`
}

export function formatForum (f: ForumInfo): string[] {
  return [
    ...aligned([
      ['roots', f.roots.length === 0 ? '- (no forum: only the trust list counts)' : f.roots.join(', ')],
      ['revoked entries', f.revokedEntries],
      ['digest', f.digest]
    ]),
    `members: ${f.members.length === 0 ? 'none' : ''}`.trimEnd(),
    ...f.members.flatMap(memberLines),
    `revocations: ${f.revocations.length === 0 ? 'none' : ''}`.trimEnd(),
    ...f.revocations.map(revocationLine)
  ]
}

async function members (opts: ClientOptions, ctx: CliContext): Promise<void> {
  const info = await new NodeClient(await locateNode(opts, ctx.env, 'read')).call<ForumInfo>('GET', '/v1/forum')
  if (opts.json === true) printJson(ctx, info)
  else printLines(ctx, formatForum(info))
}

function signingOptions (command: Command): Command {
  return clientOptions(command
    .option('--root-key <file>', `the forum root's secret key (default: $${ROOT_KEY_VAR}, else ~/.config/hashmesh/${ROOT_KEY_FILE})`)
    .option('--out <file>', `where to write the signed record (default: DIR/${FORUM_RECORDS_DIR}/; refuses to overwrite)`)
    .option('--force', 'overwrite the --out file if it exists')
    .option('--offline', 'only sign and write the file; do not submit it to a node')
    .option('--config <file>', 'config file to take the network name from')
    .option('--network <name>', 'network the record is for (default: HASHMESH_NETWORK, the config\'s, or the running node\'s)'))
    .addOption(jsonOption())
}

export function register (program: Command, ctx: CliContext): void {
  const forum = program.command('forum').description('forum membership: a root key admits and revokes members; nodes follow its records')

  forum.command('init')
    .description('create a forum root key (refuses to overwrite one) and print its public key for every node\'s forum.roots')
    .option('--key <file>', `where to write the secret key, mode 0600 (default: $${ROOT_KEY_VAR}, else ~/.config/hashmesh/${ROOT_KEY_FILE})`)
    .addOption(jsonOption())
    .action(async (opts: { key?: string, json?: boolean }) => { await init(opts, ctx) })

  forum.command('root-key')
    .description('print the public key of a forum root key file (what every node lists in forum.roots)')
    .option('--key <file>', 'the secret key file (default: as forum init)')
    .addOption(jsonOption())
    .action(async (opts: { key?: string, json?: boolean }) => { await showRootKey(opts, ctx) })

  signingOptions(forum.command('admit')
    .description('sign a credential admitting a publisher key, write it to a file, and submit it to the node')
    .argument('<pubkey>', 'the member\'s publisher key, hex')
    .requiredOption('--org <name>', 'the member\'s organisation, as shown to others')
    .requiredOption('--roles <list>', `comma-separated: ${ROLES.join(', ')}`)
    .requiredOption('--until <date>', 'end of validity, exclusive (YYYY-MM-DD or ISO-8601 with zone)')
    .option('--from <date>', 'start of validity (default: now)')
    .option('--serial <n>', 'unique per root; a revocation names it (default: now in ms)')
    .option('--rotation <file>', 'the member\'s key rotation statement (hashmesh rotate-key), when PUBKEY replaces an old key'))
    .action(async (pubkey: string, opts: AdmitOptions) => { await admit(pubkey, opts, ctx) })

  signingOptions(forum.command('revoke')
    .description('sign a revocation of a member\'s credentials, write it to a file, and submit it to the node')
    .argument('<pubkey>', 'the member\'s publisher key, hex')
    .option('--serial <n>', 'the credential to revoke (default 0: every one this root has issued to the member so far)')
    .option('--reason <text>', 'for administrators')
    .option('--at <date>', 'when the revocation takes effect (default: now)')
    .option('--last-seq <n>', 'the member\'s last batch that still counts (default: its head on the node; 0 with --offline)'))
    .action(async (pubkey: string, opts: RevokeOptions) => { await revoke(pubkey, opts, ctx) })

  clientOptions(forum.command('members')
    .description('the forum as the node knows it: roots, members and how each stands, revocations'))
    .addOption(jsonOption())
    .action(async (opts: ClientOptions) => { await members(opts, ctx) })
}
