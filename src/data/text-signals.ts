/** Text checks run on every row: scripts (for the language mix), PII, leaked special tokens, mojibake. */

import { isAscii } from 'node:buffer';

export type Language = 'ko' | 'en' | 'mixed' | 'other';

export interface ScriptCounts {
  hangul: number;
  latin: number;
  latin1: number;
  control: number;
  replacement: number;
}

/** Anything but printable ASCII, tab, line feed and carriage return. */
const NOT_PLAIN_ASCII = /[^\t\n\r\x20-\x7e]/;

/**
 * `countScripts` for the checks: text of printable ASCII only (most English rows) is settled
 * by one regular-expression scan and a letter count that stops at 2, which is all
 * `languageOf` needs of such text; any other text gets the full count.
 */
export function scanScripts(text: string): ScriptCounts {
  if (NOT_PLAIN_ASCII.test(text)) return countScripts(text);
  let latin = 0;
  for (let i = 0; i < text.length && latin < 2; i++) {
    const c = text.charCodeAt(i) | 32;
    if (c >= 97 && c <= 122) latin++;
  }
  return { hangul: 0, latin, latin1: 0, control: 0, replacement: 0 };
}

/** One pass over the text counting the characters the later checks need (the reference for `scanScripts`). */
export function countScripts(text: string): ScriptCounts {
  let hangul = 0;
  let latin = 0;
  let latin1 = 0;
  let control = 0;
  let replacement = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 128) {
      if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122)) latin++;
      else if (c < 32 ? c !== 9 && c !== 10 && c !== 13 : c === 127) control++;
    } else if (c >= 0xac00 && c <= 0xd7a3) hangul++;
    else if (c >= 0xc0 && c <= 0xff) latin1++;
    else if (c === 0xfffd) replacement++;
  }
  return { hangul, latin, latin1, control, replacement };
}

/** Korean when Hangul dominates, English when Latin letters do, mixed when both hold 20% or more. */
export function languageOf(s: ScriptCounts): Language {
  const total = s.hangul + s.latin;
  if (total === 0) return 'other';
  // Hangul syllables carry ~2-3 Latin letters of information each; weigh them so a
  // Korean sentence with an English term stays Korean.
  const ko = (s.hangul * 2.5) / (s.hangul * 2.5 + s.latin);
  if (ko >= 0.8) return 'ko';
  if (ko <= 0.2) return s.latin >= 2 ? 'en' : 'other';
  return 'mixed';
}

/**
 * What a JSON record's bytes rule out about the text of its values, before any check reads the
 * text. Each flag, when true, settles a check the way running it on the text would.
 */
export interface RecordHints {
  /** The values hold printable ASCII only: `scanScripts` takes its ASCII path, no mojibake is possible. */
  isPlainAscii: boolean;
  /** `findPii` finds nothing. */
  hasNoPii: boolean;
  /** `findSpecialToken` finds nothing. */
  hasNoSpecialToken: boolean;
}

/** No hints: every check reads the text. */
export const NO_HINTS: RecordHints = { isPlainAscii: false, hasNoPii: false, hasNoSpecialToken: false };
const BACKSLASH = 0x5c;
const DEL = 0x7f;
/** Bytes every PII pattern needs one of, apart from the key prefixes "AKIA" and "AIza": "@", digits, "-", "_". */
const PII_BYTES = [0x40, 0x2d, 0x5f, 0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39];
const LT = 0x3c;
const AKIA = Buffer.from('AKIA');
const AIZA = Buffer.from('AIza');
const INST = Buffer.from('[INST');

/**
 * Hints from the bytes of one JSON record (native byte searches, no decoding). Without a
 * backslash the record has no escapes, so every character of its values stands in the bytes as
 * itself (JSON allows no raw control characters inside strings): a byte absent from the record
 * is absent from the text. The keys and punctuation can only add bytes, so a hint errs towards
 * running the check. With a backslash there are no hints; the checks read the text.
 */
export function hintsOfRecord(bytes: Uint8Array): RecordHints {
  const b = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  if (b.indexOf(BACKSLASH) !== -1) return NO_HINTS;
  // email needs "@", kr_rrn and phone digits, api_key "sk-", "ghp_", "hf_", "xox?-", "AKIA" or "AIza".
  let hasNoPii = b.indexOf(AKIA) === -1 && b.indexOf(AIZA) === -1;
  for (let i = 0; hasNoPii && i < PII_BYTES.length; i++) hasNoPii = b.indexOf(PII_BYTES[i] as number) === -1;
  return {
    isPlainAscii: isAscii(b) && b.indexOf(DEL) === -1,
    hasNoPii,
    // findSpecialToken's own prefilter: "<" or "[INST".
    hasNoSpecialToken: b.indexOf(LT) === -1 && b.indexOf(INST) === -1,
  };
}

/** `scanScripts` of text whose values `hintsOfRecord` found to be printable ASCII: only the letter count (up to 2) is left. */
export function scanPlainAsciiParts(parts: readonly string[]): ScriptCounts {
  let latin = 0;
  for (const t of parts) {
    for (let i = 0; i < t.length && latin < 2; i++) {
      const c = t.charCodeAt(i) | 32;
      if (c >= 97 && c <= 122) latin++;
    }
  }
  return { hangul: 0, latin, latin1: 0, control: 0, replacement: 0 };
}

export type PiiKind = 'email' | 'phone' | 'kr_rrn' | 'api_key';

const PII: [PiiKind, RegExp, (t: string) => boolean][] = [
  ['email', /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/, (t) => t.includes('@')],
  // Korean resident registration number: YYMMDD-Gxxxxxx, G in 1-4 (citizens) or 5-8 (foreign residents).
  ['kr_rrn', /\b\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])-[1-8]\d{6}\b/, (t) => t.includes('-')],
  ['phone', /(?:\+\d{1,3}[ -]?)?\(?\b0?\d{2,3}\)?[ -]\d{3,4}[ -]\d{4}\b/, (t) => /\d{4}/.test(t)],
  [
    'api_key',
    /\b(?:sk-[A-Za-z0-9_-]{20,}|AKIA[0-9A-Z]{16}|ghp_[A-Za-z0-9]{36}|hf_[A-Za-z0-9]{30,}|xox[bap]-[A-Za-z0-9-]{10,}|AIza[0-9A-Za-z_-]{35})/,
    (t) => KEY_PREFIXES.some((p) => t.includes(p)),
  ],
];

/** Prefixes of the API keys below; a row with none of them, no digit and no "@" holds no PII. */
const KEY_PREFIXES = ['sk-', 'AKIA', 'ghp_', 'hf_', 'xox', 'AIza'];
const DIGIT_OR_AT = /[@\d]/;
/** One character-class scan and a few substring searches rule out most rows before the per-kind checks. */
const mayHoldPii = (t: string) => DIGIT_OR_AT.test(t) || KEY_PREFIXES.some((p) => t.includes(p));

/** The kinds of personal data or secrets found in the text. */
export function findPii(text: string): PiiKind[] {
  if (!mayHoldPii(text)) return [];
  const out: PiiKind[] = [];
  for (const [kind, re, pre] of PII) if (pre(text) && re.test(text)) out.push(kind);
  return out;
}

const SPECIAL_TOKEN =
  /<\|(?:im_start|im_end|endoftext|eot_id|start_header_id|end_header_id|begin_of_text|end_of_text|system|user|assistant|end)\|>|<\/?s>|\[\/?INST\]|<(?:start|end)_of_turn>|<\|?(?:bos|eos|pad)\|?>/;

/** A chat-template control token written into the data, which the trainer will read as structure. */
export function findSpecialToken(text: string): string | undefined {
  if (!text.includes('<') && !text.includes('[INST')) return undefined;
  return SPECIAL_TOKEN.exec(text)?.[0];
}

// UTF-8 text decoded as Windows-1252 or Latin-1: "Ã©" for "é", "â€™" for "’", "ì•ˆ" for "안".
const MOJIBAKE =
  /[ÃÂ][\u0080-\u00bf]|â€[\u0080-\u00bf\u2018-\u201e\u2020-\u2122œž]|[ìíîëêé][\u0080-\u00bf\u2018-\u201e\u2020-\u2122\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc][\u0080-\u00bf\u2018-\u201e\u2020-\u2122\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc]?/;

/** The first mojibake sequence in the text, if any. */
export function findMojibake(text: string, s: ScriptCounts): string | undefined {
  if (s.latin1 === 0) return undefined;
  return MOJIBAKE.exec(text)?.[0];
}

/** Does the answer stop mid-sentence? A letter or digit at the end with no closing punctuation. */
export function endsAbruptly(text: string): boolean {
  const t = text.trimEnd();
  if (t.length < 20) return false;
  const c = t.charCodeAt(t.length - 1);
  return (
    (c >= 48 && c <= 57) ||
    (c >= 65 && c <= 90) ||
    (c >= 97 && c <= 122) ||
    c === 44 ||
    (c >= 0xac00 && c <= 0xd7a3 && !/[다요죠까니]$/.test(t))
  );
}
