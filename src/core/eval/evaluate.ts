/** Held-out metrics for a model run: loss and perplexity for LM; accuracy, macro F1, confusion for classification. */
import { tf } from '../backend';
import { batchLoss, taskLogits, type ModelRun } from '../model/runner';
import { chunkIndices, disposeBatch, makeBatch } from '../train/batches';
import type { Sequence } from '../train/encode';
import { classificationLoss } from '../train/losses';
import type { ValMetrics } from '../types';
import { classificationReport, type ClassificationReport } from './metrics';

export interface EvalResult extends ValMetrics {
  count: number;
  report?: ClassificationReport;
  /** Classification: the predicted class index of each sequence, in the order given. */
  predicted?: number[];
}

/**
 * Rows are batched by length (longest first), so a batch pads little; the metrics and the
 * per-row predictions do not depend on the batching, and predictions come back in the order given.
 */
export async function evaluateSequences(run: ModelRun, seqs: Sequence[], batchSize: number, padId: number): Promise<EvalResult> {
  if (seqs.length === 0) throw new Error('there are no examples to evaluate');
  let lossSum = 0;
  let weight = 0;
  const yTrue: number[] = new Array(seqs.length);
  const yPred: number[] = new Array(seqs.length);
  const byLength = seqs.map((_, i) => i).sort((a, b) => seqs[b].ids.length - seqs[a].ids.length || a - b);
  for (const idx of chunkIndices(byLength, batchSize)) {
    const batch = makeBatch(idx.map((i) => seqs[i]), padId);
    try {
      if (run.task === 'classify') {
        // One forward pass gives both the loss and the predictions.
        const [loss, pred] = tf.tidy(() => {
          const logits = taskLogits(run, batch.ids, batch.mask, { training: false }) as tf.Tensor2D;
          return [classificationLoss(logits, batch.classIds!, null), tf.argMax(logits, -1)];
        });
        lossSum += (await loss.data())[0] * batch.targets;
        const [p, t] = [await pred.data(), await batch.classIds!.data()];
        idx.forEach((row, k) => {
          yPred[row] = p[k];
          yTrue[row] = t[k];
        });
        tf.dispose([loss, pred]);
      } else {
        const loss = batchLoss(run, batch, { training: false });
        // Token-weighted for LM, so the mean is over all target tokens, not over batches.
        lossSum += (await loss.data())[0] * batch.targets;
        loss.dispose();
      }
      weight += batch.targets;
    } finally {
      disposeBatch(batch);
    }
  }
  const loss = weight ? lossSum / weight : NaN;
  if (run.task === 'lm') return { loss, perplexity: Math.exp(loss), count: seqs.length };
  const report = classificationReport(yTrue, yPred, run.model.labels!);
  return { loss, accuracy: report.accuracy, macroF1: report.macroF1, count: seqs.length, report, predicted: yPred };
}
