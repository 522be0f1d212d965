/** Classification metrics from predicted and true class indices. */

export interface ClassificationReport {
  accuracy: number;
  macroF1: number;
  perClass: { label: string; precision: number; recall: number; f1: number; support: number }[];
  /** confusion[true][predicted] counts. */
  confusion: number[][];
  labels: string[];
}

export function confusionMatrix(yTrue: number[], yPred: number[], numClasses: number): number[][] {
  const m = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  yTrue.forEach((t, i) => m[t][yPred[i]]++);
  return m;
}

/**
 * Accuracy and macro F1 (unweighted mean of per-class F1 over classes that occur in
 * either the truth or the predictions, as scikit-learn's default labels do).
 */
export function classificationReport(yTrue: number[], yPred: number[], labels: string[]): ClassificationReport {
  if (yTrue.length !== yPred.length) throw new Error('yTrue and yPred differ in length');
  const k = labels.length;
  const confusion = confusionMatrix(yTrue, yPred, k);
  const correct = yTrue.filter((t, i) => t === yPred[i]).length;
  const perClass = labels.map((label, c) => {
    const tp = confusion[c][c];
    const support = confusion[c].reduce((a, b) => a + b, 0);
    const predicted = confusion.reduce((a, row) => a + row[c], 0);
    const precision = predicted ? tp / predicted : 0;
    const recall = support ? tp / support : 0;
    const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
    return { label, precision, recall, f1, support, predicted };
  });
  const seen = perClass.filter((c) => c.support > 0 || c.predicted > 0);
  const macroF1 = seen.length ? seen.reduce((a, c) => a + c.f1, 0) / seen.length : 0;
  return {
    accuracy: yTrue.length ? correct / yTrue.length : 0,
    macroF1,
    perClass: perClass.map(({ predicted: _p, ...rest }) => rest),
    confusion,
    labels,
  };
}
