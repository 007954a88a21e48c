/**
 * Records a node keeps and serves: a forum has tens to hundreds of members, each with a credential
 * or two a year and the odd revocation; 4,096 leaves years of room, and a full forum sync response
 * (4,096 records of at most 4 KiB) stays a few MiB for typical ~300-byte records.
 */
export const MAX_FORUM_RECORDS = 4096
