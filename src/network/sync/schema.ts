import protobuf from 'protobufjs'
import { fileURLToPath } from 'node:url'

/**
 * Loads proto/sync.proto once. Resolved relative to this file so it works from src/ (tsx) and
 * dist/ (compiled) alike: both sit three levels below the project root.
 */
const root = protobuf.loadSync(fileURLToPath(new URL('../../../proto/sync.proto', import.meta.url)))

export const HeadsRequestType = root.lookupType('hashmesh.sync.v1.HeadsRequest')
export const HeadsResponseType = root.lookupType('hashmesh.sync.v1.HeadsResponse')
export const RangeRequestType = root.lookupType('hashmesh.sync.v1.RangeRequest')
export const ForumRequestType = root.lookupType('hashmesh.sync.v1.ForumRequest')
