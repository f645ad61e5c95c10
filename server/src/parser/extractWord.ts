/**
 * A port of systemd's word splitter, `extract_first_word()` (src/basic/extract-word.c, v252 and
 * v261 behave the same for the flags used here), that also records where each word came from in
 * the document so diagnostics and hovers can point at the exact token.
 */

/** Flags of `extract_first_word()`; the values match extract-word.h. */
export const enum ExtractFlags {
  None = 0,
  Relax = 1 << 0,
  CUnescape = 1 << 1,
  UnescapeRelax = 1 << 2,
  UnescapeSeparators = 1 << 3,
  KeepQuote = 1 << 4,
  Unquote = 1 << 5,
  DontCoalesceSeparators = 1 << 6,
  RetainEscape = 1 << 7,
  RetainSeparators = 1 << 8,
}

/** systemd's WHITESPACE set (src/basic/string-util.h). */
export const WHITESPACE = ' \t\n\r';

export interface ExtractedWord {
  /** The word as systemd sees it after unquoting/unescaping. */
  readonly value: string;
  /** Index of the word's first character in the input string. */
  readonly start: number;
  /** Index just past the word's last character in the input string. */
  readonly end: number;
}

export interface ExtractResult {
  readonly words: ExtractedWord[];
  /**
   * Set when systemd's extract_first_word() would have returned -EINVAL (unbalanced quote or a
   * trailing backslash without EXTRACT_RELAX): `at` is the index where it gave up. systemd's
   * callers log "Invalid syntax, ignoring" and drop the rest of the line.
   */
  readonly error?: { readonly at: number; readonly reason: 'unbalanced-quote' | 'trailing-backslash' | 'bad-escape' };
}

/** Single-character C escapes understood by cunescape_one() (src/basic/escape.c). */
const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\', '"': '"', "'": "'", s: ' ',
};

/**
 * Decodes one C escape sequence starting right after a backslash, like cunescape_one(). Returns
 * the decoded text and how many input characters it used, or undefined when it is not valid.
 */
function cunescapeOne(s: string, i: number): { text: string; used: number } | undefined {
  const c = s[i];
  if (c === undefined) return undefined;
  const simple = SIMPLE_ESCAPES[c];
  if (simple !== undefined) return { text: simple, used: 1 };
  const hex = (from: number, n: number): number | undefined => {
    const part = s.slice(from, from + n);
    return part.length === n && /^[0-9a-fA-F]+$/.test(part) ? parseInt(part, 16) : undefined;
  };
  if (c === 'x') {
    const v = hex(i + 1, 2);
    if (v === undefined || v === 0) return undefined;
    return { text: String.fromCharCode(v), used: 3 };
  }
  if (c === 'u') {
    const v = hex(i + 1, 4);
    if (v === undefined || v === 0) return undefined;
    return { text: String.fromCodePoint(v), used: 5 };
  }
  if (c === 'U') {
    const v = hex(i + 1, 8);
    if (v === undefined || v === 0 || v > 0x10ffff) return undefined;
    return { text: String.fromCodePoint(v), used: 9 };
  }
  if (c >= '0' && c <= '7') {
    const part = s.slice(i, i + 3);
    if (!/^[0-7]{3}$/.test(part)) return undefined;
    const v = parseInt(part, 8);
    if (v === 0 || v > 255) return undefined;
    return { text: String.fromCharCode(v), used: 3 };
  }
  return undefined;
}

/**
 * Splits `input` into words exactly as repeated calls of systemd's extract_first_word() would,
 * stopping at the first error like systemd's callers do. Never throws.
 */
export function extractWords(input: string, flags: ExtractFlags = ExtractFlags.None, separators: string = WHITESPACE): ExtractResult {
  const words: ExtractedWord[] = [];
  let p = 0;
  const n = input.length;
  // Separators by character code; systemd's WHITESPACE without a string search (the loops below
  // see every character of a value, and a value may be continued over 100 000 lines).
  const ws = separators === WHITESPACE;
  const isSepCode = (c: number): boolean => (ws ? c === 32 || c === 9 || c === 10 || c === 13 : separators.includes(String.fromCharCode(c)));

  for (;;) {
    if (p >= n) break;
    // Skip leading separators (or, without coalescing, return an empty word at a separator).
    let forcedEmpty = false;
    while (p < n) {
      if (isSepCode(input.charCodeAt(p))) {
        if (flags & ExtractFlags.DontCoalesceSeparators) {
          if (!(flags & ExtractFlags.RetainSeparators)) p++;
          forcedEmpty = true;
          break;
        }
        p++;
      } else break;
    }
    if (forcedEmpty) {
      words.push({ value: '', start: p - 1, end: p - 1 });
      continue;
    }
    if (p >= n) break;

    const start = p;
    let out = '';
    let quote: '' | '"' | "'" = '';
    let backslash = false;
    let done = false;
    let endOfInput = false;

    while (!done) {
      const c = p < n ? input[p]! : '';
      if (backslash) {
        if (c === '') {
          if ((flags & ExtractFlags.UnescapeRelax) && (quote === '' || (flags & ExtractFlags.Relax))) {
            out += '\\';
            endOfInput = true;
            break;
          }
          if (flags & ExtractFlags.Relax) {
            endOfInput = true;
            break;
          }
          return { words, error: { at: p - 1, reason: 'trailing-backslash' } };
        }
        if (flags & (ExtractFlags.CUnescape | ExtractFlags.UnescapeSeparators)) {
          const esc = flags & ExtractFlags.CUnescape ? cunescapeOne(input, p) : undefined;
          if (esc) {
            out += esc.text;
            p += esc.used - 1;
          } else if ((flags & ExtractFlags.UnescapeSeparators) && (isSepCode(input.charCodeAt(p)) || c === '\\')) {
            out += c;
          } else if (flags & ExtractFlags.UnescapeRelax) {
            out += '\\' + c;
          } else {
            return { words, error: { at: p - 1, reason: 'bad-escape' } };
          }
        } else {
          out += c;
        }
        backslash = false;
        p++;
        continue;
      }
      if (quote !== '') {
        // Inside quotes: copy until the closing quote or a backslash.
        for (;;) {
          // Fast path: copy a run of ordinary characters in one slice.
          let r = p;
          while (r < n) {
            const ch = input[r]!;
            if (ch === quote || ch === '\\') break;
            r++;
          }
          if (r > p) {
            out += input.slice(p, r);
            p = r;
          }
          const q = p < n ? input[p]! : '';
          if (q === '') {
            if (flags & ExtractFlags.Relax) {
              endOfInput = true;
              done = true;
              break;
            }
            return { words, error: { at: start, reason: 'unbalanced-quote' } };
          }
          if (q === quote) {
            quote = '';
            if (flags & ExtractFlags.Unquote) {
              p++;
              break;
            }
          } else if (q === '\\' && !(flags & ExtractFlags.RetainEscape)) {
            backslash = true;
            p++;
            break;
          }
          out += q;
          p++;
          if (quote === '') break;
        }
        continue;
      }
      // Outside quotes.
      for (;;) {
        if (quote === '') {
          // Fast path: copy a run of characters that are neither separators, quotes nor backslashes.
          let r = p;
          while (r < n) {
            const c = input.charCodeAt(r);
            // Backslash, double and single quote, or a separator: isSepCode()'s WHITESPACE test
            // written out, since this loop runs once per character (no call in V8's interpreter).
            if (c === 92 || c === 34 || c === 39 || (ws ? c === 32 || c === 9 || c === 10 || c === 13 : isSepCode(c))) break;
            r++;
          }
          if (r > p) {
            out += input.slice(p, r);
            p = r;
          }
        }
        const u = p < n ? input[p]! : '';
        if (u === '') {
          endOfInput = true;
          done = true;
          break;
        }
        if ((u === "'" || u === '"') && (flags & (ExtractFlags.KeepQuote | ExtractFlags.Unquote))) {
          quote = u;
          if (flags & ExtractFlags.Unquote) {
            p++;
            break;
          }
        } else if (u === '\\' && !(flags & ExtractFlags.RetainEscape)) {
          backslash = true;
          p++;
          break;
        } else if (isSepCode(input.charCodeAt(p))) {
          done = true;
          break;
        }
        out += u;
        p++;
        if (quote !== '') break;
      }
    }

    const end = p;
    words.push({ value: out, start, end });
    if (endOfInput) break;
    // At a separator: consume it (and, when coalescing, the ones after it).
    if (flags & ExtractFlags.DontCoalesceSeparators) {
      if (!(flags & ExtractFlags.RetainSeparators)) p++;
      if (p >= n) {
        // The next call sees the terminating NUL with its buffer already allocated, so systemd
        // returns one more, empty, word for a trailing separator.
        words.push({ value: '', start: p, end: p });
        break;
      }
    } else if (!(flags & ExtractFlags.RetainSeparators)) {
      while (p < n && isSepCode(input.charCodeAt(p))) p++;
    } else {
      break;
    }
  }
  return { words };
}
