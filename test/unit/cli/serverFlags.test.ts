import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { NODE_SERVER_FLAGS } from '../../../src/cli/nodeProcess.js'

const ROOT = new URL('../../../', import.meta.url)

async function text (path: string): Promise<string> {
  return await readFile(new URL(path, ROOT), 'utf8')
}

describe('cli: every way a node is started runs it with the same V8 flags', () => {
  it('main.ts\'s shebang, npm start and the Dockerfile\'s entrypoint carry NODE_SERVER_FLAGS', async () => {
    const shebang = (await text('src/cli/main.ts')).split('\n')[0]!
    const start = (JSON.parse(await text('package.json')) as { scripts: Record<string, string> }).scripts.start!
    const entrypoint = (await text('docker/Dockerfile')).split('\n').find(l => l.startsWith('ENTRYPOINT'))!
    for (const flag of NODE_SERVER_FLAGS) {
      assert.ok(shebang.startsWith('#!/usr/bin/env -S node ') && shebang.includes(flag), shebang)
      assert.ok(start.startsWith(`node ${flag}`) || start.includes(` ${flag} `), start)
      assert.ok(entrypoint.includes(`"${flag}"`), entrypoint)
    }
  })
})
