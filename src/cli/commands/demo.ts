import type { Command } from 'commander'
import { type CliContext, printLines } from '../context.js'
import { runDemo } from '../demo.js'

export function register (program: Command, ctx: CliContext): void {
  program.command('demo')
    .description('start a three-node federation on loopback, publish sample hashes on one node and look one up on the farthest')
    .option('--keep', 'keep the demo data directories instead of deleting them')
    .action(async (opts: { keep?: boolean }) => {
      await runDemo({ keep: opts.keep === true }, line => { printLines(ctx, [line]) })
    })
}
