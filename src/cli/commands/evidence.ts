import { readFile, rename, rm, stat, writeFile } from 'node:fs/promises'
import type { Command } from 'commander'
import { MAX_EVIDENCE_FILE_BYTES } from '../../evidence/evidenceBundle.js'
import { verifyEvidence } from '../../evidence/evidenceVerifier.js'
import { parseHexBytes, parseSignalValue } from '../../signals/hex.js'
import { findSignalType } from '../../signals/registry.js'
import { PUBLIC_KEY_BYTES } from '../../wire/limits.js'
import { type CliContext, printJson, printLines } from '../context.js'
import { CliError } from '../errors.js'
import { formatEvidenceReport } from '../evidenceReportText.js'
import { EXIT } from '../exitCodes.js'
import { download } from '../exportDownload.js'
import { locateNode } from '../nodeLocator.js'
import { type ClientOptions, clientOptions, jsonOption } from '../options.js'

interface BuildOptions extends ClientOptions { contentId?: string, out?: string }
interface VerifyOptions { nodeKey?: string, json?: boolean }

/**
 * How the command line names the subject: `--content-id ID`; or two operands, a signal type name and
 * a value; or one operand, a content id. (A content id that is also a command word, such as
 * "verify", needs --content-id.)
 */
export function evidenceParams (operands: readonly string[], contentId: string | undefined): URLSearchParams {
  if (contentId !== undefined) {
    if (operands.length > 0) throw new CliError('USAGE', 'give --content-id ID or operands, not both')
    return new URLSearchParams({ contentId })
  }
  if (operands.length === 1) return new URLSearchParams({ contentId: operands[0]! })
  if (operands.length === 2) {
    const [type, value] = operands as [string, string]
    if (findSignalType(type) === undefined) {
      throw new CliError('USAGE', `"${type.slice(0, 32)}" is not a signal type (md5, sha1, sha256, pdq); for a content id give one operand`)
    }
    parseSignalValue(type, value)
    return new URLSearchParams({ type, value })
  }
  throw new CliError('USAGE', 'give CONTENT_ID, TYPE VALUE or --content-id ID')
}

/** The bytes go to FILE.partial as they come and are renamed at the end: FILE never holds part of a bundle. */
async function build (operands: string[], opts: BuildOptions, ctx: CliContext): Promise<void> {
  const out = opts.out
  if (out === undefined) throw new CliError('USAGE', 'give --out FILE: the bundle is written to a file')
  const params = evidenceParams(operands, opts.contentId)
  const target = await locateNode(opts, ctx.env, 'admin')
  const pieces: Uint8Array[] = []
  await download(target, `/v1/evidence?${params.toString()}`, async piece => { pieces.push(piece) })
  const partial = `${out}.partial`
  const bytes = Buffer.concat(pieces)
  try {
    await writeFile(partial, bytes)
    await rename(partial, out)
  } catch (err) {
    await rm(partial, { force: true })
    throw err
  }
  printLines(ctx, [`wrote a ${bytes.length}-byte evidence bundle to ${out}`, `check it with: hashmesh evidence verify ${out}`])
}

async function verify (file: string, opts: VerifyOptions, ctx: CliContext): Promise<void> {
  if (opts.nodeKey !== undefined && parseHexBytes(opts.nodeKey, PUBLIC_KEY_BYTES) === undefined) {
    throw new CliError('USAGE', `--node-key must be ${PUBLIC_KEY_BYTES * 2} hex characters`)
  }
  const bytes = await readBundle(file)
  const report = verifyEvidence(bytes, opts.nodeKey === undefined ? {} : { nodeKey: opts.nodeKey })
  ctx.exitCode = report.ok ? EXIT.OK : EXIT.FAILURE
  if (opts.json === true) printJson(ctx, { file, ...report })
  else printLines(ctx, formatEvidenceReport(report, file))
}

/** Bounded before it is read: a file past the format's limit is refused without being held in memory. */
async function readBundle (file: string): Promise<Uint8Array> {
  let size: number
  try {
    size = (await stat(file)).size
  } catch (err) {
    throw new CliError('BAD_INPUT', `cannot read ${file}: ${(err as Error).message}`, { cause: err })
  }
  if (size > MAX_EVIDENCE_FILE_BYTES) throw new CliError('BAD_INPUT', `${file} is ${size} bytes; an evidence bundle is at most ${MAX_EVIDENCE_FILE_BYTES}`)
  try {
    return await readFile(file)
  } catch (err) {
    throw new CliError('BAD_INPUT', `cannot read ${file}: ${(err as Error).message}`, { cause: err })
  }
}

export function register (program: Command, ctx: CliContext): void {
  const evidence = clientOptions(program.command('evidence')
    .description('write a signed, self-contained evidence bundle about a content id\'s match or a hash; `evidence verify FILE` checks one offline')
    .argument('[subject...]', 'CONTENT_ID, or TYPE VALUE (md5, sha1, sha256 or pdq, and the hash in hex)')
    .option('--content-id <id>', 'the content id, when it could be read otherwise (e.g. one named "verify")')
    // Not a required option: commander would then ask for it of `evidence verify` too.
    .option('--out <file>', 'where to write the bundle (required)'))
    .action(async (operands: string[], opts: BuildOptions) => { await build(operands, opts, ctx) })

  evidence.command('verify')
    .description('check a bundle with no node, store or network: canonical form, every signature, hash and link; exit 1 if any check fails')
    .argument('<file>', 'the bundle')
    .option('--node-key <key>', 'fail unless the bundle was made by this node publisher key (hex)')
    .addOption(jsonOption())
    .action(async (file: string, opts: VerifyOptions) => { await verify(file, opts, ctx) })
}
