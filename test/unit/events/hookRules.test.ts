import assert from 'node:assert/strict'
import fc from 'fast-check'
import { HookError } from '../../../src/events/hookError.js'
import {
  MAX_SECRET_BYTES, MIN_SECRET_BYTES, checkHookEvents, checkHookSecret, checkHookUrl, eventIdText, hookIdText, parseEventId, parseHookId
} from '../../../src/events/hookRules.js'

function refused (code: string): (err: unknown) => boolean {
  return err => err instanceof HookError && err.code === code
}

describe('events: hook rules', function () {
  it('takes http: and https: URLs, normalised', function () {
    assert.equal(checkHookUrl('https://Hooks.Example.com/a?b=1'), 'https://hooks.example.com/a?b=1')
    assert.equal(checkHookUrl('http://127.0.0.1:8080'), 'http://127.0.0.1:8080/')
  })

  it('refuses other schemes, credentials in the URL, relative and over-long URLs', function () {
    for (const url of ['ftp://x.example/', 'file:///etc/passwd', 'javascript:alert(1)', 'data:text/plain,hi', 'ws://x.example/', 'gopher://x/']) {
      assert.throws(() => checkHookUrl(url), refused('BAD_URL'), url)
    }
    assert.throws(() => checkHookUrl('https://user:pw@x.example/'), refused('BAD_URL'))
    assert.throws(() => checkHookUrl('https://user@x.example/'), refused('BAD_URL'))
    assert.throws(() => checkHookUrl('/relative'), refused('BAD_URL'))
    assert.throws(() => checkHookUrl(''), refused('BAD_URL'))
    assert.throws(() => checkHookUrl(`https://x.example/${'a'.repeat(2048)}`), refused('BAD_URL'))
  })

  it('throws nothing but BAD_URL for any text', function () {
    fc.assert(fc.property(fc.oneof(fc.string(), fc.webUrl(), fc.string({ unit: 'binary' })), text => {
      try {
        const url = checkHookUrl(text)
        assert.match(url, /^https?:\/\//)
      } catch (err) {
        assert.ok(refused('BAD_URL')(err), String(err))
      }
    }))
  })

  it('takes known event types, distinct, in their listed order', function () {
    assert.deepEqual(checkHookEvents(['appeal', 'match', 'match']), ['match', 'appeal'])
    assert.throws(() => checkHookEvents([]), refused('BAD_EVENTS'))
    assert.throws(() => checkHookEvents(['match', 'everything']), refused('BAD_EVENTS'))
  })

  it(`takes secrets of ${MIN_SECRET_BYTES}-${MAX_SECRET_BYTES} bytes of UTF-8`, function () {
    assert.equal(checkHookSecret('x'.repeat(MIN_SECRET_BYTES)).length, MIN_SECRET_BYTES)
    assert.throws(() => checkHookSecret('x'.repeat(MIN_SECRET_BYTES - 1)), refused('BAD_SECRET'))
    assert.throws(() => checkHookSecret('é'.repeat(MAX_SECRET_BYTES / 2 + 1)), refused('BAD_SECRET'))
  })

  it('reads back the ids it writes, and refuses anything else', function () {
    fc.assert(fc.property(fc.uint8Array({ minLength: 8, maxLength: 8 }), fc.uint8Array({ minLength: 16, maxLength: 16 }), (h, e) => {
      assert.deepEqual(parseHookId(hookIdText(h)), Uint8Array.from(h))
      assert.deepEqual(parseEventId(eventIdText(e)), Uint8Array.from(e))
    }))
    assert.throws(() => parseHookId('hook_ABCDEF0123456789'), refused('BAD_HOOK_ID'))
    assert.throws(() => parseEventId('evt_00'), refused('BAD_EVENT_ID'))
  })
})
