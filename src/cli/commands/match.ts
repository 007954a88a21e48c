import type { Command } from 'commander'
import type { PdqMode } from '../../hashing/fileHasher.js'
import { DEFAULT_PDQ_MAX_DISTANCE } from '../../lookup/limits.js'
import { type MatchResult, matchQueries, matchReport } from '../../lookup/matchReport.js'
import { type CliContext, printJson, printLines } from '../context.js'
import { EXIT } from '../exitCodes.js'
import { NodeClient } from '../nodeClient.js'
import { locateNode } from '../nodeLocator.js'
import { type ClientOptions, clientOptions, jsonOption } from '../options.js'
import { dihedralOption, modeOption } from '../pdqOptions.js'
import { hashFiles } from './hash.js'
import { CliError } from '../errors.js'
import { contentIdOption, formatLookup, maxDistanceOption, recordedLine, verdictText } from './lookup.js'

interface MatchCommandOptions extends ClientOptions {
  contentId?: string
  maxDistance?: number
  mode: PdqMode
  dihedral?: boolean
}

export type FileMatch = MatchResult & { file: string, matchId?: string }

const SKIPPED: Readonly<Record<NonNullable<MatchResult['pdqSkipped']>, string>> = {
  NOT_AN_IMAGE: 'not an image: exact hashes only',
  LOW_QUALITY: 'pdq quality below 50: exact hashes only'
}

/** Only the lookups that found something: a file's exact hashes are usually all unknown. */
export function formatMatch (m: FileMatch): string[] {
  const pdq = m.hashes.pdq === undefined ? '' : `, pdq quality ${m.hashes.pdq.quality}`
  const skipped = m.pdqSkipped === undefined ? '' : ` (${SKIPPED[m.pdqSkipped]})`
  const answered = m.results.filter(r => r.matches.length > 0)
  const verdict = m.match ? 'MATCH' : verdictText(m)
  return [`${verdict}: ${m.file}${pdq}${skipped}`, ...answered.flatMap(r => formatLookup(r, m.variants).map(l => `  ${l}`)), ...recordedLine(m.matchId)]
}

export function register (program: Command, ctx: CliContext): void {
  clientOptions(program.command('match')
    .description('hash files here and ask the node for exact and PDQ matches; exit 0 if any file matches under the node\'s policy, 1 if none')
    .argument('<files...>', 'files to check (they never leave this machine: only their hashes are sent)')
    .addOption(maxDistanceOption())
    .addOption(modeOption())
    .addOption(dihedralOption())
    .addOption(contentIdOption()))
    .addOption(jsonOption())
    .action(async (files: string[], opts: MatchCommandOptions) => {
      if (opts.contentId !== undefined && files.length !== 1) throw new CliError('USAGE', '--content-id names one piece of content: give exactly one file')
      const client = new NodeClient(await locateNode(opts, ctx.env, 'read'))
      const options = { maxDistance: opts.maxDistance ?? DEFAULT_PDQ_MAX_DISTANCE, dihedral: opts.dihedral === true }
      const matches: FileMatch[] = []
      for (const { file, ...hashes } of await hashFiles(files, opts)) {
        const queries = matchQueries(hashes, options).map(q => opts.contentId === undefined ? q : { ...q, contentId: opts.contentId })
        const results = await client.lookupMany(queries)
        const matchId = results.find(r => r.matchId !== undefined)?.matchId
        matches.push({ file, ...matchReport(hashes, results, options), ...(matchId === undefined ? {} : { matchId }) })
      }
      ctx.exitCode = matches.some(m => m.match) ? EXIT.OK : EXIT.NOT_FOUND
      if (opts.json === true) printJson(ctx, matches)
      else printLines(ctx, matches.flatMap(formatMatch))
    })
}
