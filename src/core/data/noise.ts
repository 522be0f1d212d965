/**
 * Noise filters: rows that are mostly symbols, hold long runs of one character, or carry control
 * characters are usually scraping or encoding accidents, not language a model should learn.
 */

export interface NoiseParams {
  /** Largest share of non-space characters that are neither letters, marks nor digits (0..1). */
  maxSymbolRatio?: number;
  /** Longest allowed run of one repeated character ("soooo" is fine, 40 dashes are not). */
  maxRepeatRun?: number;
  /** Drop rows holding control characters (other than tab and line breaks) or U+FFFD, the mark of a bad decode. */
  controlChars?: boolean;
}

export const DEFAULT_NOISE: Required<NoiseParams> = { maxSymbolRatio: 0.5, maxRepeatRun: 12, controlChars: true };

const LETTER_OR_DIGIT = /[\p{L}\p{M}\p{N}]/u;
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\ufffd]|\p{Cs}/u;

/** Share of non-whitespace characters (code points) that are not letters, marks or digits. */
export function symbolRatio(text: string): number {
  let symbols = 0;
  let visible = 0;
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    if (c === 32 || c === 10 || c === 9 || c === 13) continue;
    visible++;
    // ASCII letters and digits without a regex: most text is mostly ASCII.
    if ((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57)) continue;
    if (c < 128 || !LETTER_OR_DIGIT.test(ch)) symbols++;
  }
  return visible === 0 ? 0 : symbols / visible;
}

/** Length of the longest run of one repeated code unit, ignoring spaces. */
export function longestRun(text: string): number {
  let best = 0;
  let run = 0;
  let prev = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    run = c === prev && c !== 32 ? run + 1 : 1;
    prev = c;
    if (run > best) best = run;
  }
  return best;
}

export const hasControlChars = (text: string) => CONTROL.test(text);

/** Why a text is noise under `params`, or undefined when it is fine. */
export function noiseReason(text: string, params: NoiseParams = {}): string | undefined {
  const p = { ...DEFAULT_NOISE, ...params };
  if (p.controlChars && hasControlChars(text)) return 'holds control characters or U+FFFD (a broken decode)';
  const run = longestRun(text);
  if (run > p.maxRepeatRun) return `a character repeats ${run} times in a row (limit ${p.maxRepeatRun})`;
  const ratio = symbolRatio(text);
  if (ratio > p.maxSymbolRatio) return `${Math.round(ratio * 100)}% symbols (limit ${Math.round(p.maxSymbolRatio * 100)}%)`;
  return undefined;
}
