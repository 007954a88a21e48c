import { MAX_PDQ_VARIANTS } from '../lookup/limits.js'
import type { EquivocationDecision } from '../node/interface.js'
import { AUTHOR_PATTERN, MAX_AUTHOR_CHARS, MAX_NOTE_CHARS, NOTE_PATTERN } from '../store/allowlist.js'
import { LABEL_PATTERN, MAX_LABEL_BYTES, MAX_LABELS_PER_ENTRY, REASON_PATTERN } from '../wire/limits.js'
import { ACTION_BY_NAME } from '../wire/types.js'
import { CONTENT_ID_PATTERN, MAX_CONTENT_ID_CHARS } from '../store/contentId.js'
import { MAX_WATCH_ITEMS_PER_REQUEST, WATCH_HASH_TYPES } from '../watch/watchInput.js'
import { MAX_LOOKUP_QUERIES, MAX_PUBLISH_ENTRIES, MAX_PUBLISHER_CHARS, MAX_TYPE_CHARS, MAX_VALUE_CHARS } from './limits.js'

/**
 * JSON schemas of the request bodies and parameters. Every array and string is bounded so that
 * validation cost is bounded too. Type, value and publisher key are only bounded here, not checked:
 * the node checks them and answers with a precise code (UNKNOWN_SIGNAL_TYPE, BAD_SIGNAL_VALUE,
 * BAD_PUBLISHER_KEY).
 */

const typeField = { type: 'string', minLength: 1, maxLength: MAX_TYPE_CHARS } as const
const valueField = { type: 'string', minLength: 1, maxLength: MAX_VALUE_CHARS } as const

/** The platform's id of the content checked: a match is recorded in the match log under it. */
export const contentIdField = { type: 'string', minLength: 1, maxLength: MAX_CONTENT_ID_CHARS, pattern: CONTENT_ID_PATTERN.source } as const

/** Only typed here: the node answers BAD_MAX_DISTANCE with the exact rule (0-256). */
const maxDistanceField = { type: 'integer' } as const

export const lookupParamsSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['type', 'value'],
  properties: { type: typeField, value: valueField }
} as const

const query = {
  ...lookupParamsSchema,
  properties: {
    ...lookupParamsSchema.properties,
    maxDistance: maxDistanceField,
    variants: { type: 'array', maxItems: MAX_PDQ_VARIANTS, items: valueField },
    contentId: contentIdField
  }
} as const

/** Query strings are text: the route converts the digits itself; the node checks the range. */
const distanceDigits = { type: 'string', pattern: '^[0-9]{1,3}$' } as const

export const lookupQuerystringSchema = {
  type: 'object',
  additionalProperties: false,
  properties: { maxDistance: distanceDigits, contentId: contentIdField }
} as const

export const matchQuerystringSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    maxDistance: distanceDigits,
    mode: { type: 'string', enum: ['core', 'tool'] },
    dihedral: { type: 'string', enum: ['true', 'false'] },
    contentId: contentIdField
  }
} as const

export const lookupBodySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['queries'],
  properties: {
    queries: { type: 'array', minItems: 1, maxItems: MAX_LOOKUP_QUERIES, items: query },
    matches: { type: 'boolean' }
  }
} as const

const entry = {
  type: 'object',
  additionalProperties: false,
  required: ['type', 'value'],
  properties: {
    type: typeField,
    value: valueField,
    labels: {
      type: 'array',
      maxItems: MAX_LABELS_PER_ENTRY,
      items: { type: 'string', maxLength: MAX_LABEL_BYTES, pattern: LABEL_PATTERN.source }
    },
    action: { type: 'string', enum: Object.keys(ACTION_BY_NAME) },
    // Bounded here; whether the action may carry it (opinions only) the node answers with BAD_REASON.
    reason: { type: 'string', maxLength: 32, pattern: REASON_PATTERN.source }
  }
} as const

export const publishBodySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['entries'],
  properties: {
    entries: { type: 'array', minItems: 1, maxItems: MAX_PUBLISH_ENTRIES, items: entry }
  }
} as const

/** Written as a record so that a decision added to the node's type fails to compile until listed here. */
const DECISIONS: Readonly<Record<EquivocationDecision, true>> = { 'follow-stored': true, block: true }

export const EQUIVOCATION_DECISIONS = Object.keys(DECISIONS) as EquivocationDecision[]

export const publisherParamsSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['publisher'],
  properties: { publisher: { type: 'string', minLength: 1, maxLength: MAX_PUBLISHER_CHARS } }
} as const

export const decisionBodySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['decision'],
  properties: { decision: { type: 'string', enum: EQUIVOCATION_DECISIONS } }
} as const

/** An allowlist entry's hash, in the path: the same bounds as a lookup's. */
export const allowlistParamsSchema = lookupParamsSchema

/** Note and author are checked in full here (ajv matches patterns with the u flag), and again by the store. */
export const allowlistBodySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['type', 'value', 'note', 'author'],
  properties: {
    type: typeField,
    value: valueField,
    note: { type: 'string', minLength: 1, maxLength: MAX_NOTE_CHARS, pattern: NOTE_PATTERN.source },
    author: { type: 'string', minLength: 1, maxLength: MAX_AUTHOR_CHARS, pattern: AUTHOR_PATTERN.source }
  }
} as const

/**
 * POST /v1/watch. Ids and values are only bounded here: the node answers BAD_CONTENT_ID and
 * BAD_WATCH_HASHES with the exact rule (printable, the type's hex length).
 */
const watchIdField = { type: 'string', minLength: 1, maxLength: MAX_CONTENT_ID_CHARS } as const

export const watchBodySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['items'],
  properties: {
    items: {
      type: 'array',
      minItems: 1,
      maxItems: MAX_WATCH_ITEMS_PER_REQUEST,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'hashes'],
        properties: {
          id: watchIdField,
          hashes: {
            type: 'object',
            additionalProperties: false,
            minProperties: 1,
            properties: Object.fromEntries(WATCH_HASH_TYPES.map(t => [t, valueField]))
          }
        }
      }
    }
  }
} as const

export const watchParamsSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id'],
  properties: { id: watchIdField }
} as const

export const watchQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: { after: watchIdField, limit: { type: 'string', pattern: '^[0-9]{1,4}$' } }
} as const
