import { EVENT_TYPES } from '../events/hashmeshEvent.js'
import { MAX_SECRET_BYTES } from '../events/hookRules.js'
import { MAX_HOOK_URL_CHARS } from '../store/hookLimits.js'

/**
 * JSON schemas of the webhook routes, bounded like every other (schemas.ts). URL rules and the
 * secret's byte length are checked by the node, which answers BAD_URL or BAD_SECRET precisely.
 */

export const hookBodySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['url', 'events', 'secret'],
  properties: {
    url: { type: 'string', minLength: 1, maxLength: MAX_HOOK_URL_CHARS },
    events: { type: 'array', minItems: 1, maxItems: EVENT_TYPES.length, uniqueItems: true, items: { type: 'string', enum: [...EVENT_TYPES] } },
    // Characters, not bytes: the node checks the UTF-8 length.
    secret: { type: 'string', minLength: 1, maxLength: MAX_SECRET_BYTES }
  }
} as const

export const hookParamsSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id'],
  properties: { id: { type: 'string', pattern: '^hook_[0-9a-f]{16}$' } }
} as const

export const deadEventParamsSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['eventId'],
  properties: { eventId: { type: 'string', pattern: '^evt_[0-9a-f]{32}$' } }
} as const

export const deadQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    limit: { type: 'string', pattern: '^[0-9]{1,4}$' },
    after: { type: 'string', pattern: '^evt_[0-9a-f]{32}\\.hook_[0-9a-f]{16}$' }
  }
} as const
