import { describe, expect, it } from 'vitest';
import { predictBow, predictBowLabel, trainBow, words } from './bow';

describe('bag-of-words logistic regression', () => {
  it('splits text into lower-case words', () => {
    expect(words("Don't WIN $1,000 now!")).toEqual(["don't", 'win', '1', '000', 'now']);
  });

  it('learns a separable toy problem and returns probabilities', () => {
    const texts = ['win money now', 'free money win', 'cheap pills win', 'meeting at noon', 'lunch at noon', 'see the meeting notes'];
    const labels = ['spam', 'spam', 'spam', 'ham', 'ham', 'ham'];
    const m = trainBow(texts, labels, { epochs: 200, learningRate: 1, l2: 1e-4, minCount: 1 });
    expect(m.labels).toEqual(['ham', 'spam']);
    expect(texts.map((t) => predictBowLabel(m, t))).toEqual(labels);
    expect(predictBowLabel(m, 'win free money')).toBe('spam');
    expect(predictBowLabel(m, 'notes from the meeting')).toBe('ham');
    const p = predictBow(m, 'unknown words only');
    expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 10);
  });

  it('takes the analytic gradient step from zero weights', () => {
    // From W = 0 every class has p = 1/K, so one step moves w[c][j] by lr * mean(onehot - 1/K) over rows with word j.
    const m = trainBow(['a b', 'a c'], ['x', 'y'], { epochs: 1, learningRate: 1, l2: 0, minCount: 1 });
    const a = m.vocab.get('a')!;
    const b = m.vocab.get('b')!;
    expect(m.weights[0][a]).toBeCloseTo(0, 12); // (0.5 - 0.5) / 2
    expect(m.weights[0][b]).toBeCloseTo(0.25, 12); // (1 - 0.5) / 2
    expect(m.weights[1][b]).toBeCloseTo(-0.25, 12);
  });
});
