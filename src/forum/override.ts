/**
 * An operator's explicit decision to accept one publisher key's batches in a forum whatever the
 * forum's root-signed records say (forum.overrides in config). It is the only way a local choice
 * outweighs a revocation, a rotation or a missing credential, so it carries its reason, is recorded
 * in the audit log when it changes, and every row it admits stands as `override`.
 */
export interface ForumOverride {
  /** The publisher key (hex Ed25519). */
  key: string
  /** Why this node accepts the key against the forum: shown in status, kept in the audit log. */
  reason: string
}
