/**
 * A bag-of-words logistic-regression classifier: the plain baseline a fine-tuned
 * transformer has to beat. Pure TypeScript (no tfjs), deterministic.
 *
 * Words are lower-cased runs of letters, digits and apostrophes; the vocabulary is the
 * training words seen at least `minCount` times; a text is the binary presence vector of
 * its words plus a bias. Multinomial (softmax) regression, full-batch gradient descent on
 * mean cross-entropy + (l2 / 2) * |W|^2 (bias not regularised).
 */

export interface BowOptions {
  epochs: number;
  learningRate: number;
  l2: number;
  minCount: number;
}

export const DEFAULT_BOW: BowOptions = { epochs: 300, learningRate: 0.5, l2: 1e-3, minCount: 2 };

export interface BowModel {
  labels: string[];
  vocab: Map<string, number>;
  /** weights[c][j] for class c, feature j; the last column is the bias. */
  weights: Float64Array[];
}

export function words(text: string): string[] {
  return text.toLowerCase().match(/[a-z0-9']+/g) ?? [];
}

function features(text: string, vocab: Map<string, number>): number[] {
  const ids = new Set<number>();
  for (const w of words(text)) {
    const j = vocab.get(w);
    if (j !== undefined) ids.add(j);
  }
  return [...ids];
}

function softmaxInPlace(z: number[]): number[] {
  const m = Math.max(...z);
  let s = 0;
  for (let i = 0; i < z.length; i++) s += z[i] = Math.exp(z[i] - m);
  for (let i = 0; i < z.length; i++) z[i] /= s;
  return z;
}

function scores(model: BowModel, feats: number[]): number[] {
  const bias = model.vocab.size;
  return model.weights.map((w) => feats.reduce((a, j) => a + w[j], w[bias]));
}

export function trainBow(texts: string[], labels: string[], opts: BowOptions = DEFAULT_BOW): BowModel {
  if (texts.length !== labels.length) throw new Error('texts and labels differ in length');
  const classes = [...new Set(labels)].sort();
  const counts = new Map<string, number>();
  for (const t of texts) for (const w of new Set(words(t))) counts.set(w, (counts.get(w) ?? 0) + 1);
  const vocab = new Map<string, number>();
  for (const [w, c] of [...counts].sort(([a], [b]) => (a < b ? -1 : 1))) if (c >= opts.minCount) vocab.set(w, vocab.size);

  const D = vocab.size + 1;
  const model: BowModel = { labels: classes, vocab, weights: classes.map(() => new Float64Array(D)) };
  const X = texts.map((t) => features(t, vocab));
  const y = labels.map((l) => classes.indexOf(l));
  const n = texts.length;
  for (let epoch = 0; epoch < opts.epochs; epoch++) {
    const grad = classes.map(() => new Float64Array(D));
    X.forEach((feats, i) => {
      const p = softmaxInPlace(scores(model, feats));
      p[y[i]] -= 1; // d(cross-entropy)/d(score) = p - onehot
      p.forEach((g, c) => {
        for (const j of feats) grad[c][j] += g;
        grad[c][D - 1] += g;
      });
    });
    model.weights.forEach((w, c) => {
      for (let j = 0; j < D; j++) {
        const reg = j < D - 1 ? opts.l2 * w[j] : 0;
        w[j] -= opts.learningRate * (grad[c][j] / n + reg);
      }
    });
  }
  return model;
}

/** Class probabilities for one text, in `model.labels` order. */
export function predictBow(model: BowModel, text: string): number[] {
  return softmaxInPlace(scores(model, features(text, model.vocab)));
}

export function predictBowLabel(model: BowModel, text: string): string {
  const p = predictBow(model, text);
  return model.labels[p.indexOf(Math.max(...p))];
}
