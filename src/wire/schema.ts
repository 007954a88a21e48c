import protobuf from 'protobufjs'
import { fileURLToPath } from 'node:url'

/**
 * Loads proto/hashmesh.proto once. Resolved relative to this file so it works from src/ (tsx) and
 * dist/ (compiled) alike: both sit two levels below the project root.
 */
const root = protobuf.loadSync(fileURLToPath(new URL('../../proto/hashmesh.proto', import.meta.url)))

export const SignedBatchType = root.lookupType('hashmesh.v1.SignedBatch')
export const BatchBodyType = root.lookupType('hashmesh.v1.BatchBody')
export const EquivocationProofType = root.lookupType('hashmesh.v1.EquivocationProof')
export const SignedForumRecordType = root.lookupType('hashmesh.v1.SignedForumRecord')
export const ForumRecordType = root.lookupType('hashmesh.v1.ForumRecord')
export const SignedKeyRotationType = root.lookupType('hashmesh.v1.SignedKeyRotation')
export const KeyRotationType = root.lookupType('hashmesh.v1.KeyRotation')
