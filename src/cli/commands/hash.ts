import type { Command } from 'commander'
import { DIHEDRAL_NAMES } from '../../hashing/pdq/pdqHasher.js'
import { type FileHashes, type PdqMode, PDQ_QUALITY_THRESHOLD, hashFile } from '../../hashing/fileHasher.js'
import { LABEL_PATTERN, MAX_LABELS_PER_ENTRY } from '../../wire/limits.js'
import { type CliContext, aligned, printJson, printLines } from '../context.js'
import { CliError } from '../errors.js'
import { readLocalFile } from '../input/fileBytes.js'
import { jsonOption } from '../options.js'
import { dihedralOption, modeOption } from '../pdqOptions.js'

interface HashOptions {
  mode: PdqMode
  dihedral?: boolean
  json?: boolean
  csv?: boolean
  labels?: string
}

export interface HashedFile extends FileHashes {
  file: string
}

function imageLine (h: FileHashes): string {
  return h.image === undefined ? 'not an image' : `${h.image.format} ${h.image.width}×${h.image.height}`
}

export function formatHashes (h: HashedFile): string[] {
  const rows: Array<[string, string]> = [['md5', h.md5], ['sha1', h.sha1], ['sha256', h.sha256]]
  if (h.pdq !== undefined) {
    rows.push(['pdq',
      `${h.pdq.hash}  quality ${h.pdq.quality}${h.pdq.quality < PDQ_QUALITY_THRESHOLD ? ` (below ${PDQ_QUALITY_THRESHOLD}: not matched)` : ''}`])
    const forms = h.pdq.dihedral
    if (forms !== undefined) rows.push(...DIHEDRAL_NAMES.slice(1).map(name => [`  ${name}`, forms[name]] as [string, string]))
  }
  return [`${h.file}  (${h.bytes} bytes, ${imageLine(h)})`, ...aligned(rows, '  ')]
}

function checkedLabels (text: string | undefined): string[] {
  const labels = text === undefined || text === '' ? [] : text.split(';')
  if (labels.length > MAX_LABELS_PER_ENTRY) throw new CliError('USAGE', `--labels: at most ${MAX_LABELS_PER_ENTRY} labels`)
  for (const l of labels) {
    if (!LABEL_PATTERN.test(l)) throw new CliError('USAGE', `--labels: "${l.slice(0, 80)}" is not a label (1-64 printable ASCII characters, no ';' or ',')`)
  }
  return labels
}

/**
 * Rows `hashmesh publish` reads. A PDQ under the quality threshold is left out (a featureless image
 * matches unrelated ones) and said so on stderr.
 */
function csvRows (hashed: readonly HashedFile[], labels: string[], ctx: CliContext): string[] {
  const cell = labels.join(';')
  const rows = ['type,value,labels']
  for (const h of hashed) {
    rows.push(`md5,${h.md5},${cell}`, `sha1,${h.sha1},${cell}`, `sha256,${h.sha256},${cell}`)
    if (h.pdq === undefined) continue
    if (h.pdq.quality >= PDQ_QUALITY_THRESHOLD) rows.push(`pdq,${h.pdq.hash},${cell}`)
    else ctx.terminal.err(`hashmesh: ${h.file}: pdq quality ${h.pdq.quality} is below ${PDQ_QUALITY_THRESHOLD}; its pdq row is left out\n`)
  }
  return rows
}

export async function hashFiles (files: readonly string[], options: { mode: PdqMode, dihedral?: boolean }): Promise<HashedFile[]> {
  const hashed: HashedFile[] = []
  for (const file of files) {
    try {
      hashed.push({ file, ...await hashFile(await readLocalFile(file), { mode: options.mode, dihedral: options.dihedral === true }) })
    } catch (err) {
      if (err instanceof CliError) throw err
      throw new CliError('BAD_INPUT', `${file}: ${(err as Error).message}`, { cause: err })
    }
  }
  return hashed
}

export function register (program: Command, ctx: CliContext): void {
  program.command('hash')
    .description('print md5, sha1, sha256 and, for images, pdq and its quality; nothing leaves this machine')
    .argument('<files...>', 'files to hash')
    .addOption(modeOption())
    .addOption(dihedralOption())
    .option('--csv', 'print rows for `hashmesh publish` (type,value,labels) instead')
    .option('--labels <labels>', 'with --csv: labels for every row, ;-separated')
    .addOption(jsonOption())
    .action(async (files: string[], opts: HashOptions) => {
      const labels = checkedLabels(opts.labels)
      if (opts.csv === true && opts.json === true) throw new CliError('USAGE', '--csv and --json exclude each other')
      if (opts.labels !== undefined && opts.csv !== true) throw new CliError('USAGE', '--labels goes with --csv')
      const hashed = await hashFiles(files, opts)
      if (opts.json === true) printJson(ctx, hashed)
      else if (opts.csv === true) printLines(ctx, csvRows(hashed, labels, ctx))
      else printLines(ctx, hashed.flatMap(formatHashes))
    })
}
