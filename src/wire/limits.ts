/**
 * Bounds on everything that arrives from a peer or a user. Each is checked before any expensive work
 * (hashing, signature verification, storage), and a second implementation must enforce the same.
 */

/** Entries in one batch: large platforms publish tens of thousands of hashes as a few batches. */
export const MAX_ENTRIES_PER_BATCH = 10_000

/** Encoded BatchBody: keeps one gossip message far below gossipsub's silent 4 MiB RPC drop. */
export const MAX_BODY_BYTES = 1024 * 1024

/** Encoded SignedBatch: the body, a 64-byte signature and protobuf framing. */
export const MAX_SIGNED_BATCH_BYTES = MAX_BODY_BYTES + 128

/** An equivocation proof carries two signed batches and its own framing. */
export const MAX_PROOF_BYTES = 2 * MAX_SIGNED_BATCH_BYTES + 64

/** Labels per entry: categories of harm and a few tags, not free text. */
export const MAX_LABELS_PER_ENTRY = 16

/** Bytes per label. */
export const MAX_LABEL_BYTES = 64

/** A label is printable ASCII without ';' or ',' (the CSV label separator and the column separator). */
export const LABEL_PATTERN = /^[\x21-\x2b\x2d-\x3a\x3c-\x7e]{1,64}$/

/** Network names: short, lowercase, usable in a gossipsub topic. */
export const NETWORK_PATTERN = /^[a-z0-9][a-z0-9._-]{0,63}$/

export const PUBLIC_KEY_BYTES = 32
export const SIGNATURE_BYTES = 64
export const BATCH_ID_BYTES = 32

/** An opinion's reason code: short, machine-readable, e.g. "not_violating" or "wrong_label". */
export const REASON_PATTERN = /^[a-z0-9][a-z0-9_.-]{0,31}$/

/** Organisation names are shown to people and written to CSV: printable, no control characters. */
export const ORGANISATION_PATTERN = /^[\x20-\x7e]{1,128}$/
export const MAX_ORGANISATION_CHARS = 128

/** A revocation's reason is free text for administrators. */
export const MAX_REVOCATION_REASON_CHARS = 256

/** A SignedForumRecord: a credential with an embedded key rotation is under 700 bytes. */
export const MAX_FORUM_RECORD_BYTES = 4096

/** A SignedKeyRotation is about 200 bytes. */
export const MAX_KEY_ROTATION_BYTES = 1024
