/** Held-out metrics for a model run: loss and perplexity for LM; accuracy, macro F1, confusion for classification. */
import { tf } from '../backend';
import { batchLoss, taskLogits, type ModelRun } from '../model/runner';
import { chunkIndices, disposeBatch, makeBatch, type Sequence } from '../train/batches';
import type { ValMetrics } from '../types';
import { classificationReport, type ClassificationReport } from './metrics';

export interface EvalResult extends ValMetrics {
  count: number;
  report?: ClassificationReport;
  /** Classification: the predicted class index of each sequence, in the order given. */
  predicted?: number[];
}

export async function evaluateSequences(run: ModelRun, seqs: Sequence[], batchSize: number, padId: number): Promise<EvalResult> {
  if (seqs.length === 0) throw new Error('there are no examples to evaluate');
  let lossSum = 0;
  let weight = 0;
  const yTrue: number[] = [];
  const yPred: number[] = [];
  for (const idx of chunkIndices(seqs.map((_, i) => i), batchSize)) {
    const batch = makeBatch(idx.map((i) => seqs[i]), padId);
    try {
      const loss = batchLoss(run, batch, { training: false });
      // Token-weighted for LM, so the mean is over all target tokens, not over batches.
      lossSum += (await loss.data())[0] * batch.targets;
      weight += batch.targets;
      loss.dispose();
      if (run.task === 'classify') {
        const pred = tf.tidy(() => tf.argMax(taskLogits(run, batch.ids, batch.mask, { training: false }), -1));
        yPred.push(...(await pred.data()));
        yTrue.push(...(await batch.classIds!.data()));
        pred.dispose();
      }
    } finally {
      disposeBatch(batch);
    }
  }
  const loss = weight ? lossSum / weight : NaN;
  if (run.task === 'lm') return { loss, perplexity: Math.exp(loss), count: seqs.length };
  const report = classificationReport(yTrue, yPred, run.model.labels!);
  return { loss, accuracy: report.accuracy, macroF1: report.macroF1, count: seqs.length, report, predicted: yPred };
}
