/** What a JSON text may not contain even when it parses: see `findJsonStructureFault`. */
export type JsonStructureFault =
  { kind: 'too-deep'; maxDepth: number } | { kind: 'duplicate-key'; key: string };

const QUOTE = 0x22; // "
const BACKSLASH = 0x5c; // \
const COLON = 0x3a; // :
const OPEN_OBJECT = 0x7b; // {
const CLOSE_OBJECT = 0x7d; // }
const OPEN_ARRAY = 0x5b; // [
const CLOSE_ARRAY = 0x5d; // ]

function isJsonWhitespace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

/** A key as the parser will see it: `"\u006dax"` and `"max"` are the same key. */
function decodeKey(raw: string, escaped: boolean): string {
  if (!escaped) return raw;
  try {
    return JSON.parse(`"${raw}"`) as string;
  } catch {
    return raw; // broken escape: the parser refuses the body anyway
  }
}

/**
 * One iterative pass over a JSON text (no recursion, so any nesting is safe to inspect) that finds what
 * `JSON.parse` lets through but we refuse: nesting deeper than `maxDepth` containers (the top-level
 * object counts as 1; deep documents overflow the stack of every recursive walker after the parser,
 * e.g. the validation pipe) and a key repeated within one object (the parser keeps the last one
 * silently, so two readers of the same body could disagree).
 *
 * Too deep wins over a duplicate key, and the scan stops at once when the depth is exceeded. The
 * verdict is meaningful for valid JSON; callers parse the text too and refuse it when it is not.
 */
export function findJsonStructureFault(text: string, maxDepth: number): JsonStructureFault | undefined {
  // One frame per open container: the keys seen so far for an object, null for an array.
  const frames: (Set<string> | null)[] = [];
  let duplicate: string | undefined;
  const length = text.length;
  let i = 0;
  while (i < length) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      let end = i + 1;
      let escaped = false;
      while (end < length) {
        const d = text.charCodeAt(end);
        if (d === BACKSLASH) {
          escaped = true;
          end += 2;
        } else if (d === QUOTE) {
          break;
        } else {
          end += 1;
        }
      }
      const keys = frames.length > 0 ? frames[frames.length - 1] : null;
      if (keys && duplicate === undefined) {
        let next = end + 1;
        while (next < length && isJsonWhitespace(text.charCodeAt(next))) next += 1;
        // Inside an object, a string followed by `:` is a key.
        if (text.charCodeAt(next) === COLON) {
          const key = decodeKey(text.slice(i + 1, end), escaped);
          if (keys.has(key)) duplicate = key;
          else keys.add(key);
        }
      }
      i = end + 1;
      continue;
    }
    if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      if (frames.length >= maxDepth) return { kind: 'too-deep', maxDepth };
      frames.push(c === OPEN_OBJECT ? new Set<string>() : null);
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      frames.pop();
    }
    i += 1;
  }
  return duplicate === undefined ? undefined : { kind: 'duplicate-key', key: duplicate };
}
