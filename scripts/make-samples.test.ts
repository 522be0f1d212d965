/** The shipped samples load through the studio's own dataset loader, and the e-mail cleaner does what the README says. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadDataset } from '../src/core/data/load';
import { cleanEmail } from './lib/email';

const dir = join(__dirname, '..', 'public', 'samples');
const load = (file: string, task: 'lm' | 'classify') => loadDataset(new Uint8Array(readFileSync(join(dir, file))), file, task);

describe('public/samples', () => {
  it('spam.csv is text + label, spam and ham, texts of at most ~500 characters', () => {
    const { examples } = load('spam.csv', 'classify');
    expect(examples.length).toBeGreaterThanOrEqual(600);
    const labels = new Set(examples.map((e) => (e.kind === 'labeled' ? e.label : '?')));
    expect([...labels].sort()).toEqual(['ham', 'spam']);
    for (const e of examples) if (e.kind === 'labeled') expect(e.text.length).toBeLessThanOrEqual(510);
  });

  it('instructions.jsonl is prompt/completion rows, every answer asked in at least two wordings', () => {
    const { examples } = load('instructions.jsonl', 'lm');
    expect(examples.length).toBeGreaterThanOrEqual(200);
    expect(examples.every((e) => e.kind === 'prompt')).toBe(true);
    // So a row held out for validation asks a fact the training rows hold in other words.
    const asked = new Map<string, Set<string>>();
    for (const e of examples) if (e.kind === 'prompt') asked.set(e.completion, (asked.get(e.completion) ?? new Set()).add(e.prompt));
    expect(asked.size).toBe(200);
    for (const [answer, prompts] of asked) expect(prompts.size, answer).toBeGreaterThanOrEqual(2);
  });

  it('moby-dick.txt is plain text of a few hundred KB at most', () => {
    const { examples } = load('moby-dick.txt', 'lm');
    expect(examples.length).toBeGreaterThan(0);
    expect(readFileSync(join(dir, 'moby-dick.txt')).length).toBeLessThan(400_000);
  });

  it('index.json lists every sample with an existing file', () => {
    const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as { id: string; task: string; file: string }[];
    expect(index.map((s) => s.id).sort()).toEqual(['instructions', 'moby-dick', 'spam']);
    for (const s of index) expect(readFileSync(join(dir, '..', s.file)).length).toBeGreaterThan(0);
  });
});

describe('cleanEmail', () => {
  const headers = 'From: a@b.c\nTo: d@e.f\nSubject: Cheap   offer\nContent-Type: text/html\nContent-Transfer-Encoding: quoted-printable\n\n';

  it('keeps the subject, drops the other headers, decodes quoted-printable and strips HTML', () => {
    const body = '<html><style>p{}</style><p>Buy n=\now &amp; save 50=25!</p><p>Only today, for our best customers.</p></html>';
    expect(cleanEmail(headers + body)).toBe('Cheap offer Buy now & save 50%! Only today, for our best customers.');
  });

  it('drops quoted replies and everything after a signature separator', () => {
    const raw = 'Subject: Re: build\n\nI think the build is fixed now, thanks all.\n> did you try again?\n-- \nJoe, sent from a long signature';
    expect(cleanEmail(raw)).toBe('Re: build I think the build is fixed now, thanks all.');
  });

  it('cuts long texts at a word boundary and rejects near-empty ones', () => {
    const long = cleanEmail(`Subject: x\n\n${'word '.repeat(300)}`)!;
    expect(long.length).toBeLessThanOrEqual(504);
    expect(long.endsWith('word ...')).toBe(true);
    expect(cleanEmail('Subject: hi\n\nok')).toBeNull();
  });
});
