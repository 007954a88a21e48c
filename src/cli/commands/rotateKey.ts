import { rename } from 'node:fs/promises'
import { join } from 'node:path'
import type { Command } from 'commander'
import { generateSecretKey, publicKeyOf, sign } from '../../crypto/ed25519.js'
import { loadPublisherKey } from '../../crypto/publisherKey.js'
import { fileExists, writeSecretFile } from '../../crypto/secretFile.js'
import { dataDirPaths } from '../../node/dataDirPaths.js'
import { toHex } from '../../signals/hex.js'
import { HashStore } from '../../store/hashStore.js'
import { encodeKeyRotation, encodeSignedKeyRotation } from '../../wire/forumCodec.js'
import { type CliContext, aligned, printJson, printLines } from '../context.js'
import { CliError } from '../errors.js'
import { shortKey, writeHexFile } from '../forumFiles.js'
import { dataOption, jsonOption } from '../options.js'
import { type SigningOptions, loadSigningConfig } from '../signingConfig.js'

interface RotateOptions extends SigningOptions {
  json?: boolean
}

function isLocked (err: unknown): boolean {
  for (let e = err; e instanceof Error; e = e.cause) {
    if ((e as NodeJS.ErrnoException).code === 'LEVEL_LOCKED') return true
  }
  return false
}

/**
 * The old key's last stored seq: the rotation promises nothing after it. Opening the store also
 * proves the node is stopped (LevelDB's lock), so no batch can be signed with the old key meanwhile.
 */
async function headSeq (dbPath: string, publisher: Uint8Array): Promise<number> {
  if (!await fileExists(dbPath)) return 0
  let store
  try {
    store = await HashStore.open(dbPath)
  } catch (err) {
    if (isLocked(err)) throw new CliError('USAGE', `${dbPath} is in use: stop the node running on this data directory before rotating its key`)
    throw err
  }
  try {
    return (await store.head(publisher))?.seq ?? 0
  } finally {
    await store.close()
  }
}

async function rotateKey (opts: RotateOptions, ctx: CliContext): Promise<void> {
  const { network, dataDir } = await loadSigningConfig(opts, ctx.env)
  const paths = dataDirPaths(dataDir)
  if (!await fileExists(paths.publisherKey)) {
    throw new CliError('USAGE', `no publisher key at ${paths.publisherKey}; nothing to rotate (hashmesh init creates one)`)
  }
  const old = await loadPublisherKey(paths.publisherKey)
  const lastSeq = await headSeq(paths.db, old.publicKey)
  const secretKey = generateSecretKey()
  const next = publicKeyOf(secretKey)
  const body = encodeKeyRotation({ oldKey: old.publicKey, newKey: next, network, createdAtMs: Date.now(), lastSeq })
  const statement = encodeSignedKeyRotation(body, sign(body, old.secretKey))

  const retired = join(paths.root, `publisher.key.retired-${shortKey(old.publicKey)}`)
  const staged = join(paths.root, `publisher.key.new-${shortKey(next)}`)
  const rotationFile = join(paths.root, `rotation-${shortKey(old.publicKey)}-${shortKey(next)}.rotation`)
  if (await fileExists(retired)) throw new CliError('USAGE', `${retired} already exists; refusing to overwrite a retired key`)
  // Order matters: at every step both keys exist on disk (a key is never deleted, only renamed).
  await writeHexFile(rotationFile, statement)
  await writeSecretFile(staged, `${toHex(secretKey)}\n`)
  await rename(paths.publisherKey, retired)
  await rename(staged, paths.publisherKey)

  const result = { oldKey: toHex(old.publicKey), newKey: toHex(next), lastSeq, network, rotationFile, retiredKeyFile: retired }
  if (opts.json === true) {
    printJson(ctx, result)
    return
  }
  printLines(ctx, [
    ...aligned([
      ['new publisher key', result.newKey],
      ['old publisher key', `${result.oldKey} (kept in ${retired})`],
      ['old key last seq', lastSeq === 0 ? '0 (it published nothing here)' : String(lastSeq)],
      ['rotation statement', rotationFile]
    ]),
    '',
    'Next:',
    `  1. Send ${rotationFile} and the new key to the forum operator, who runs:`,
    `       hashmesh forum admit ${result.newKey} --org NAME --roles ... --until DATE --rotation ${rotationFile}`,
    '  2. Start the node again and join with the credential they send back: hashmesh join FILE',
    'Until then other nodes refuse the new key\'s batches; the old key\'s batches after its last seq are refused once the credential spreads.'
  ])
}

export function register (program: Command, ctx: CliContext): void {
  program.command('rotate-key')
    .description('replace this node\'s publisher key (node stopped): sign a rotation with the old key and keep it as retired')
    .addOption(dataOption())
    .option('--config <file>', 'config file (its dataDir and network)')
    .option('--network <name>', 'network the rotation is for (default: the config\'s)')
    .addOption(jsonOption())
    .action(async (opts: RotateOptions) => { await rotateKey(opts, ctx) })
}
