/**
 * A word-level diff for showing what an edit changed (cleaning's before / after, augmentation's
 * source / variant): the longest common subsequence of the two texts' words and spaces. Rows in a
 * preview are short, and longer texts fall back to "all changed" rather than a slow table.
 */

export interface Segment {
  text: string;
  changed: boolean;
}

/** Above this many tokens on either side the texts are shown without word marks. */
const MAX_TOKENS = 400;

const tokens = (s: string) => s.split(/(\s+)/).filter((t) => t !== '');

/** Segments of `to`, each marked as kept from `from` or changed (new or altered), with runs merged. */
export function wordDiff(from: string, to: string): Segment[] {
  const a = tokens(from);
  const b = tokens(to);
  if (a.length > MAX_TOKENS || b.length > MAX_TOKENS) return to ? [{ text: to, changed: from !== to }] : [];
  // lcs[i][j]: length of the LCS of a[i..] and b[j..].
  const lcs = Array.from({ length: a.length + 1 }, () => new Uint16Array(b.length + 1));
  for (let i = a.length - 1; i >= 0; i--) for (let j = b.length - 1; j >= 0; j--) lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
  const out: Segment[] = [];
  const push = (text: string, changed: boolean) => {
    // Spaces join the run around them, so a changed phrase reads as one mark.
    const isSpace = /^\s+$/.test(text);
    const last = out[out.length - 1];
    if (last && (last.changed === changed || isSpace)) last.text += text;
    else out.push({ text, changed });
  };
  let i = 0;
  let j = 0;
  while (j < b.length) {
    if (i < a.length && a[i] === b[j]) {
      push(b[j], false);
      i++;
      j++;
    } else if (i < a.length && lcs[i + 1][j] >= lcs[i][j + 1]) i++;
    else push(b[j++], true);
  }
  return out;
}
