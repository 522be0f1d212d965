import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../backend';
import { train } from '../train/trainer';
import type { Example, ModelFiles } from '../types';
import { hyperparams, promptExamples, sentimentExamples, textExamples, tinyGpt2Files } from '../../testutil/tinyModel';
import { evaluateHeldOut, normalizeAnswer, perturbRows, perturbText, tokenF1 } from './heldout';
import { PERTURBATIONS } from './perturbations';
import { classify, complete, completeIds, evaluateExamples, loadForInference, type LoadedForInference } from './inference';
import { mulberry32 } from '../data/random';
import { predictBowLabel, trainBow } from './bow';

let classifier: ModelFiles;
let lm: ModelFiles;
let memorised: ModelFiles;
let memorisedChat: ModelFiles;

const chatRows = (pairs: [string, string][]): Example[] =>
  pairs.map(([q, a]) => ({ kind: 'chat', messages: [{ role: 'system', content: 'Answer in one word.' }, { role: 'user', content: q }, { role: 'assistant', content: a }] }));
const colours: [string, string][] = [
  ['What colour is the sky?', 'Blue.'],
  ['What colour is grass?', 'Green.'],
  ['What colour is snow?', 'White.'],
];

beforeAll(async () => {
  await initBackend('cpu');
  const base = await tinyGpt2Files({ embeddingStd: 0.5 });
  // Room for a ChatML history (the byte-level fixture tokenizer spends a token on most characters).
  const longBase = await tinyGpt2Files({ embeddingStd: 0.5, nPositions: 96 });
  // A few steps only: a classifier that gets some rows right and some wrong.
  classifier = (await train({ task: 'classify', method: 'full', base, train: sentimentExamples(16), hyperparams: hyperparams({ learningRate: 1e-2, epochs: 1, batchSize: 8, maxSteps: 2 }) })).model;
  lm = (await train({ task: 'lm', method: 'full', base, train: promptExamples(6), hyperparams: hyperparams({ learningRate: 1e-2, epochs: 1, batchSize: 6, maxSteps: 1 }) })).model;
  // Long enough to learn the three answers and the end of text after them.
  memorised = (await train({ task: 'lm', method: 'full', base, train: promptExamples(6), hyperparams: hyperparams({ learningRate: 1e-2, epochs: 80, batchSize: 6 }) })).model;
  memorisedChat = (await train({ task: 'lm', method: 'full', base: longBase, train: chatRows([...colours, ...colours]), hyperparams: hyperparams({ learningRate: 1e-2, epochs: 80, batchSize: 6, maxLength: 96 }) })).model;
});

async function withModel<T>(files: ModelFiles, fn: (m: LoadedForInference) => Promise<T>): Promise<T> {
  const m = loadForInference(files);
  try {
    return await fn(m);
  } finally {
    m.dispose();
  }
}

/** Held-out rows unlike the training phrases, so the classifier misses some. */
const heldOut: Example[] = [
  { kind: 'labeled', text: 'A good, good film. Great acting!', label: 'pos' },
  { kind: 'labeled', text: 'awful food and a bad waiter', label: 'neg' },
  { kind: 'labeled', text: 'Great day at the beach', label: 'pos' },
  { kind: 'labeled', text: 'The film was bad, the day awful.', label: 'neg' },
  { kind: 'labeled', text: 'good', label: 'neg' },
  { kind: 'labeled', text: 'Bad day? No: a great one', label: 'pos' },
  { kind: 'labeled', text: 'food', label: 'pos' },
];

describe('perturbText', () => {
  it('is seeded, and every kind edits a sentence with words and punctuation', () => {
    const text = 'The quick brown fox jumps over the lazy dog. What a good day!';
    for (const { id } of PERTURBATIONS) {
      const a = perturbText(text, id, mulberry32(5));
      expect(a).toBe(perturbText(text, id, mulberry32(5)));
      expect(a, id).not.toBe(text);
    }
  });

  it('edits only the input side: the label, the completion and the assistant turn stay', () => {
    const rows: Example[] = [
      { kind: 'labeled', text: 'Some words in a row.', label: 'x' },
      { kind: 'prompt', prompt: 'Name a colour.', completion: ' Blue.' },
      { kind: 'chat', messages: [{ role: 'user', content: 'Hello there!' }, { role: 'assistant', content: 'Hi!' }] },
    ];
    const [l, p, c] = perturbRows(rows, 'casing', 3);
    expect(l).toMatchObject({ kind: 'labeled', label: 'x' });
    expect((l as { text: string }).text.toLowerCase()).toBe('some words in a row.');
    expect(p).toMatchObject({ completion: ' Blue.' });
    expect((c as { messages: { content: string }[] }).messages[1].content).toBe('Hi!');
    expect((c as { messages: { content: string }[] }).messages[0].content).not.toBe('Hello there!');
  });
});

describe('answer scoring (SQuAD)', () => {
  it('normalises case, punctuation, articles and spaces', () => {
    expect(normalizeAnswer('  The  Blue, sky!')).toBe('blue sky');
    expect(normalizeAnswer('An apple a day')).toBe('apple day');
    expect(normalizeAnswer('Théâtre—Paris')).toBe('théâtre paris');
  });

  it('gives the harmonic mean of word precision and recall', () => {
    expect(tokenF1('blue', 'Blue.')).toBe(1);
    // prediction [blue, sky], reference [blue]: precision 1/2, recall 1.
    expect(tokenF1('the blue sky', 'blue')).toBeCloseTo(2 / 3, 12);
    // Repeated words count once per occurrence in the reference: [red, red, red] vs [red, green]: p 1/3, r 1/2.
    expect(tokenF1('red red red', 'red green')).toBeCloseTo(0.4, 12);
    expect(tokenF1('green', 'blue')).toBe(0);
    expect(tokenF1('', '')).toBe(1);
    expect(tokenF1('', 'blue')).toBe(0);
  });
});

describe('evaluateHeldOut', () => {
  it('scores a classifier as classifying each row alone does, with its confusion matrix and mistakes', async () => {
    await withModel(classifier, async (m) => {
      const before = tf.memory().numTensors;
      const r = await evaluateHeldOut(m, heldOut, { maxLength: 32, batchSize: 3, seed: 4 });
      expect(tf.memory().numTensors).toBe(before);
      expect(r).toMatchObject({ task: 'classify', count: heldOut.length, offered: heldOut.length, empty: 0 });

      // The reference: one forward pass per text, without padding or batching.
      const alone = await Promise.all(heldOut.map((e) => classify(m, (e as { text: string }).text, 32)));
      const wrong = heldOut.flatMap((e, i) => (alone[i].label === (e as { label: string }).label ? [] : [i]));
      expect(r.mistakes!.map((x) => x.index)).toEqual(wrong);
      for (const x of r.mistakes!) expect(x.predicted).toBe(alone[x.index].label);
      expect(wrong.length).toBeGreaterThan(0);
      expect(r.metrics.accuracy).toBeCloseTo(1 - wrong.length / heldOut.length, 10);
      const c = r.classification!;
      expect(c.confusion.flat().reduce((a, b) => a + b, 0)).toBe(heldOut.length);
      const labels = c.labels;
      for (const [t, row] of c.confusion.entries()) {
        for (const [p, n] of row.entries()) {
          expect(n).toBe(heldOut.filter((e, i) => (e as { label: string }).label === labels[t] && alone[i].label === labels[p]).length);
        }
      }
      // The same loss as the engine's plain evaluation of these rows.
      expect(r.metrics.loss).toBeCloseTo((await evaluateExamples(m, heldOut, { maxLength: 32, batchSize: 8 })).loss, 5);

      // Robustness: each kind's accuracy and flips agree with classifying each edited text alone.
      expect(r.robustness.map((x) => x.perturbation)).toEqual(PERTURBATIONS.map((p) => p.id));
      for (const rob of r.robustness) {
        const edited = perturbRows(heldOut, rob.perturbation, 4);
        const labelsAlone = await Promise.all(edited.map(async (e) => (await classify(m, (e as { text: string }).text, 32)).label));
        expect(rob.flipped, rob.perturbation).toBe(labelsAlone.filter((l, i) => l !== alone[i].label).length);
        expect(rob.accuracy, rob.perturbation).toBeCloseTo(labelsAlone.filter((l, i) => l === (heldOut[i] as { label: string }).label).length / heldOut.length, 10);
        expect(rob.changed).toBe(edited.filter((e, i) => (e as { text: string }).text !== (heldOut[i] as { text: string }).text).length);
        expect(rob.flipped!).toBeLessThanOrEqual(rob.changed);
      }
    });
  });

  it('scores a seeded sample when asked for fewer rows, and reports progress per pass', async () => {
    await withModel(classifier, async (m) => {
      const progress: string[] = [];
      const r = await evaluateHeldOut(m, [...heldOut, ...sentimentExamples(20)], {
        maxLength: 32,
        batchSize: 8,
        maxRows: 10,
        perturbations: ['typos', 'casing'],
        onProgress: (p) => progress.push(`${p.done}/${p.total} ${p.stage}`),
      });
      expect(r).toMatchObject({ count: 10, offered: 27 });
      expect(progress).toEqual([
        '0/3 scoring the rows as they are',
        '1/3 scoring the rows with an edit: typos',
        '2/3 scoring the rows with an edit: casing',
        '3/3 done',
      ]);
    });
  });

  it('scores a bag-of-words and a majority-label baseline on the same rows, trained on the run’s rows less the scored ones', async () => {
    await withModel(classifier, async (m) => {
      const train = [...sentimentExamples(16), heldOut[0], { kind: 'labeled' as const, text: 'meh', label: 'neutral' }];
      const r = await evaluateHeldOut(m, heldOut, { maxLength: 32, batchSize: 8, perturbations: [], baselineTrain: train });
      const b = r.baselines!;
      // A scored row and a label the model does not know are left out of the baselines' training.
      expect(b.trainRows).toBe(16);
      const bow = trainBow(sentimentExamples(16).map((e) => (e as { text: string }).text), sentimentExamples(16).map((e) => (e as { label: string }).label));
      const right = heldOut.filter((e) => predictBowLabel(bow, (e as { text: string }).text) === (e as { label: string }).label).length;
      expect(b.bow.accuracy).toBeCloseTo(right / heldOut.length, 12);
      // 8 pos and 8 neg: the tie goes to the model's first label; 3 of the 7 scored rows are neg.
      expect(m.run.model.labels).toEqual(['neg', 'pos']);
      expect(b.majority).toEqual({ label: 'neg', accuracy: 3 / 7, macroF1: expect.any(Number) });
      expect(b.majority.macroF1).toBeCloseTo((2 * (3 / 7)) / (1 + 3 / 7) / 2, 12);
      expect((await evaluateHeldOut(m, heldOut, { maxLength: 32, batchSize: 8, perturbations: [] })).baselines).toBeUndefined();
    });
  });

  it('says which labels a classifier does not know, and refuses rows without labels', async () => {
    await withModel(classifier, async (m) => {
      await expect(evaluateHeldOut(m, [...heldOut, { kind: 'labeled', text: 'meh', label: 'neutral' }], { maxLength: 32, batchSize: 8 })).rejects.toThrow(
        'labels this model does not know: "neutral" (it knows "neg", "pos")',
      );
      await expect(evaluateHeldOut(m, textExamples(2), { maxLength: 32, batchSize: 8 })).rejects.toThrow('rows with a text and a label');
      await expect(evaluateHeldOut(m, [{ kind: 'labeled', text: '', label: 'pos' }], { maxLength: 32, batchSize: 8 })).rejects.toThrow('None of these rows has any text');
    });
  });

  it('gives a language model perplexity, and robustness only where rows have a prompt to edit', async () => {
    await withModel(lm, async (m) => {
      const prompts = promptExamples(6);
      const r = await evaluateHeldOut(m, prompts, { maxLength: 32, batchSize: 4, perturbations: ['typos'] });
      expect(r.task).toBe('lm');
      expect(r.metrics.perplexity).toBeCloseTo(Math.exp(r.metrics.loss), 8);
      expect(r.metrics.loss).toBeCloseTo((await evaluateExamples(m, prompts, { maxLength: 32, batchSize: 8 })).loss, 5);
      expect(r.robustness).toHaveLength(1);
      expect(r.robustness[0].changed).toBeGreaterThan(0);
      expect(r.mistakes).toBeUndefined();
      const plain = await evaluateHeldOut(m, textExamples(3), { maxLength: 32, batchSize: 4 });
      expect(plain.robustness).toEqual([]);
      expect(plain.generation).toBeUndefined();
    });
  });

  it('completes prompt rows greedily and scores them against the references', async () => {
    await withModel(memorised, async (m) => {
      const rows: Example[] = [...promptExamples(3), { kind: 'prompt', prompt: 'colour of sky:', completion: ' green' }];
      const r = await evaluateHeldOut(m, rows, { maxLength: 32, batchSize: 4, perturbations: [] });
      const g = r.generation!;
      expect(g.rows).toBe(4);
      for (const s of g.samples) {
        const ex = rows[s.index] as Extract<Example, { kind: 'prompt' }>;
        // Up to the reference, eos and 16 more tokens, within the context.
        const maxNewTokens = Math.min(32 - m.tokenizer.encode(ex.prompt).length, m.tokenizer.encode(ex.completion, { addSpecialTokens: false }).length + 1 + 16);
        const alone = await complete(m, ex.prompt, { maxNewTokens, temperature: 0 });
        expect(s.output).toBe(alone.text);
        expect(s.exact).toBe(normalizeAnswer(alone.text) === normalizeAnswer(ex.completion));
      }
      // It learned the three answers (and to stop after them); the fourth row's reference is another colour.
      expect(g.samples.map((s) => s.exact)).toEqual([true, true, true, false]);
      expect(g.exactMatch).toBe(0.75);
      expect(g.tokenF1).toBeCloseTo(0.75, 12);
      const sampled = await evaluateHeldOut(m, promptExamples(9), { maxLength: 32, batchSize: 4, perturbations: [], maxGenerations: 2 });
      expect(sampled.generation!.rows).toBe(2);
      // A prompt longer than the context is cut as training cuts it: its end is kept, with room for the reference and eos.
      const long = { kind: 'prompt' as const, prompt: `${'and so on, '.repeat(6)}colour of sky:`, completion: ' blue' };
      const ids = m.tokenizer.encode(long.prompt);
      const room = m.tokenizer.encode(long.completion, { addSpecialTokens: false }).length + 1;
      expect(ids.length).toBeGreaterThan(32);
      const [cut] = (await evaluateHeldOut(m, [long], { maxLength: 32, batchSize: 4, perturbations: [] })).generation!.samples;
      // The cut prompt leaves exactly `room` positions of the context to write in.
      const fromEnd = await completeIds(m, ids.slice(ids.length - (32 - room)), { maxNewTokens: room, temperature: 0 });
      expect(cut.output).toBe(fromEnd.text);
      expect(cut.output).not.toBe('');
    });
  });

  it('completes chat rows from their history and scores the last assistant turn, as they trained', async () => {
    await withModel(memorisedChat, async (m) => {
      // The fixture's tokenizer carries a ChatML template.
      expect(m.tokenizer.hasChatTemplate).toBe(true);
      const rows = chatRows([...colours, ['What colour is coal?', 'Black.']]);
      const progress: string[] = [];
      const r = await evaluateHeldOut(m, rows, { maxLength: 96, batchSize: 4, perturbations: [], onProgress: (p) => progress.push(`${p.done.toFixed(2)} ${p.stage}`) });
      const g = r.generation!;
      expect(g.rows).toBe(4);
      for (const s of g.samples) {
        const [system, user, assistant] = (rows[s.index] as Extract<Example, { kind: 'chat' }>).messages;
        // ChatML written out by hand; the rendered template carries its own specials.
        const turn = (role: string, content: string) => `<|im_start|>${role}\n${content}<|im_end|>\n`;
        const chatml = `${turn('system', system.content)}${turn('user', user.content)}<|im_start|>assistant\n`;
        const ids = m.tokenizer.encode(chatml, { addSpecialTokens: false });
        const maxNewTokens = Math.min(96 - ids.length, m.tokenizer.encode(assistant.content, { addSpecialTokens: false }).length + 1 + 16);
        const alone = await completeIds(m, ids, { maxNewTokens, temperature: 0 });
        expect(s.output).toBe(alone.text);
        expect(s.prompt).toBe(user.content);
        expect(s.reference).toBe(assistant.content);
      }
      expect(g.samples.map((s) => s.exact)).toEqual([true, true, true, false]);
      expect(progress).toEqual([
        '0.00 scoring the rows as they are',
        '1.00 writing completion 1 of 4',
        '1.25 writing completion 2 of 4',
        '1.50 writing completion 3 of 4',
        '1.75 writing completion 4 of 4',
        '2.00 done',
      ]);
    });
  });
});
