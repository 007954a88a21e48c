/** A platform's own id for content it hosts; shown back to it in events, never to peers. */
export const MAX_CONTENT_ID_CHARS = 256

/**
 * Printable text in any script, counted in code points: no control, format (bidi overrides) or
 * line-separator characters, which would let an id rewrite the lines around it in a terminal or a
 * CSV, and no lone surrogate, which has no UTF-8 form and would come back from the store as another id.
 */
export const CONTENT_ID_PATTERN = /^[^\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]{1,256}$/u
