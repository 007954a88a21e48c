#!/usr/bin/env -S node --max-semi-space-size=64
import '../polyfill.js'
import type { Writable } from 'node:stream'
import { commandsFor } from './commandList.js'
import type { CliContext } from './context.js'
import { runCli } from './program.js'

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

const code = await runCli(process.argv, ctx, await commandsFor(process.argv.slice(2)))
// Explicit exit: libp2p can leave timers behind after stop. Output is flushed first so that a pipe
// reader gets all of it.
await drained(process.stdout)
await drained(process.stderr)
process.exit(code)
