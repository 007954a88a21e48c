#!/usr/bin/env node
import '../polyfill.js'
import type { Writable } from 'node:stream'
import { register as registerAllowlist } from './commands/allowlist.js'
import { register as registerAudit } from './commands/audit.js'
import { register as registerDecide } from './commands/decide.js'
import { register as registerDemo } from './commands/demo.js'
import { register as registerEquivocations } from './commands/equivocations.js'
import { register as registerForum } from './commands/forum.js'
import { register as registerHash } from './commands/hash.js'
import { register as registerInit } from './commands/init.js'
import { register as registerJoin } from './commands/join.js'
import { register as registerLookup } from './commands/lookup.js'
import { register as registerMatch } from './commands/match.js'
import { register as registerOpine } from './commands/opine.js'
import { register as registerPublish } from './commands/publish.js'
import { register as registerRotateKey } from './commands/rotateKey.js'
import { register as registerStart } from './commands/start.js'
import { register as registerStatus } from './commands/status.js'
import type { CliContext } from './context.js'
import { type RegisterCommand, runCli } from './program.js'

/** Every command of `hashmesh`; a new one is a file exporting register(program, ctx), listed here. */
const COMMANDS: readonly RegisterCommand[] = [
  registerInit, registerStart, registerPublish, registerLookup, registerHash, registerMatch, registerStatus, registerEquivocations, registerDecide,
  registerOpine, registerAllowlist, registerForum, registerJoin, registerRotateKey, registerAudit, registerDemo
]

async function drained (stream: Writable): Promise<void> {
  await new Promise<void>(resolve => stream.write('', () => { resolve() }))
}

const ctx: CliContext = {
  env: process.env,
  terminal: { out: text => process.stdout.write(text), err: text => process.stderr.write(text) },
  exitCode: 0,
  json: false,
  exitNow: code => process.exit(code)
}

const code = await runCli(process.argv, ctx, COMMANDS)
// Explicit exit: libp2p can leave timers behind after stop. Output is flushed first so that a pipe
// reader gets all of it.
await drained(process.stdout)
await drained(process.stderr)
process.exit(code)
