/**
 * Longest input line (JSONL) or CSV record. The longest valid entry is about 1.2 KB (16 labels of
 * 64 characters); 64 KiB allows any whitespace or escaping and bounds memory on a file that is not
 * line-based at all.
 */
export const MAX_INPUT_LINE_CHARS = 64 * 1024
