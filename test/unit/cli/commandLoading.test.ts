import assert from 'node:assert/strict'
import { readdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Command } from 'commander'
import { COMMANDS, type CommandEntry, commandsFor } from '../../../src/cli/commandList.js'
import type { CliContext } from '../../../src/cli/context.js'
import { CLI_PATH, runCliProcess } from '../../../src/cli/nodeProcess.js'
import { runRecordingModules } from '../../helpers/moduleRecorder.js'
import { NodeServer } from './cliHarness.js'

/** What a node needs and a client does not: each costs tens to hundreds of milliseconds to import. */
const HEAVY = /\/node_modules\/(libp2p|@libp2p\/[^/]+|@chainsafe\/libp2p-[^/]+|fastify|level|classic-level|sharp)\//

const COMMAND_MODULE = /\/dist\/cli\/commands\/([^/]+)\.js$/

function commandModules (modules: readonly string[]): string[] {
  return modules.flatMap(url => COMMAND_MODULE.exec(url)?.[1] ?? [])
}

function heavy (modules: readonly string[]): string[] {
  return modules.filter(url => HEAVY.test(url))
}

describe('cli: commands are loaded only when run (spawns dist/; run `npm run build` first)', function () {
  this.timeout(60_000)

  it('--version imports no command and nothing heavy', async () => {
    const r = await runRecordingModules(CLI_PATH, ['--version'])
    assert.equal(r.code, 0, r.err)
    assert.match(r.out, /^\d+\.\d+\.\d+\n$/)
    assert.ok(r.modules.some(url => url.endsWith('/dist/cli/main.js')), 'the hook recorded nothing')
    assert.deepEqual(commandModules(r.modules), [])
    assert.deepEqual(heavy(r.modules), [])
  })

  it('lookup against a node imports lookup alone and nothing heavy, with the default data dir', async () => {
    const server = await NodeServer.start('c0ffee'.repeat(8))
    const LISTED_MD5 = 'ab'.repeat(16)
    await server.node.publish([{ type: 'md5', value: LISTED_MD5 }])
    try {
      const r = await runRecordingModules(CLI_PATH, ['lookup', 'md5', LISTED_MD5, '--node', server.url], server.dir)
      assert.equal(r.code, 0, r.err)
      assert.match(r.out, /^match: md5 /)
      assert.deepEqual(commandModules(r.modules), ['lookup'])
      assert.deepEqual(heavy(r.modules), [])
    } finally {
      await server.close()
    }
  })

  it('evidence verify imports evidence alone and nothing heavy: it needs no node, store or network', async () => {
    const server = await NodeServer.start('c0ffee'.repeat(8))
    const LISTED_MD5 = 'cd'.repeat(16)
    await server.node.publish([{ type: 'md5', value: LISTED_MD5 }])
    try {
      const file = join(server.dir, 'bundle.json')
      await writeFile(file, await server.node.evidence({ type: 'md5', value: LISTED_MD5 }))
      const r = await runRecordingModules(CLI_PATH, ['evidence', 'verify', file], server.dir)
      assert.equal(r.code, 0, r.out + r.err)
      assert.match(r.out, /^verified: all \d+ checks passed$/m)
      assert.deepEqual(commandModules(r.modules), ['evidence'])
      assert.deepEqual(heavy(r.modules), [])
      const nodeSide = /\/dist\/(store\/(hashStore|repository|batchScan)|node\/(hashmeshNode|nodeComponents)|network\/|api\/)/
      assert.deepEqual(r.modules.filter(url => nodeSide.test(url)), [])
    } finally {
      await server.close()
    }
  })

  it('--help still lists every command with its description; CMD --help and help CMD still work', async () => {
    const help = await runCliProcess(['--help'])
    assert.equal(help.code, 0, help.err)
    for (const { name } of COMMANDS) assert.match(help.out, new RegExp(`^  ${name}( \\S+)* {2,}\\S`, 'm'), `${name} missing from --help`)
    const lookup = await runCliProcess(['lookup', '--help'])
    assert.match(lookup.out, /^Usage: hashmesh lookup \[options\] <type> <value>$/m)
    assert.match(lookup.out, /--token-file <file>/)
    const status = await runCliProcess(['help', 'status'])
    assert.match(status.out, /^Usage: hashmesh status \[options\]$/m)
    const typo = await runCliProcess(['lokup'])
    assert.equal(typo.code, 2)
    assert.match(typo.err, /unknown command 'lokup'[\s\S]*Did you mean lookup\?/)
  })

  it('every file in commands/ is listed, and each entry loads the command of its name', async () => {
    const files = (await readdir(new URL('../../../src/cli/commands/', import.meta.url))).filter(f => f.endsWith('.ts'))
    assert.equal(COMMANDS.length, files.length)
    for (const entry of COMMANDS) {
      const program = new Command()
      ;(await entry.load())(program, {} as CliContext)
      assert.deepEqual(program.commands.map(c => c.name()), [entry.name])
    }
  })

  describe('commandsFor', () => {
    const loaded: string[] = []
    const entries: CommandEntry[] = ['init', 'lookup', 'audit'].map(name => ({ name, load: async () => { loaded.push(name); return () => {} } }))
    const names = async (args: string[]): Promise<string[]> => {
      loaded.length = 0
      await commandsFor(args, entries)
      return [...loaded]
    }

    it('loads the command named, also after help', async () => {
      assert.deepEqual(await names(['lookup', 'md5', 'x', '--json']), ['lookup'])
      assert.deepEqual(await names(['audit', 'hash', '--help']), ['audit'])
      assert.deepEqual(await names(['help', 'audit']), ['audit'])
    })

    it('loads none for --version, all when no known command is named', async () => {
      assert.deepEqual(await names(['--version']), [])
      assert.deepEqual(await names(['-V']), [])
      assert.deepEqual(await names([]), ['init', 'lookup', 'audit'])
      assert.deepEqual(await names(['--help']), ['init', 'lookup', 'audit'])
      assert.deepEqual(await names(['lokup']), ['init', 'lookup', 'audit'])
    })
  })
})
