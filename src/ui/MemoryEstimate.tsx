/**
 * How much memory the run as set up will need (weights, gradients, optimizer state,
 * activations), against what this device can give; a warning when it will not fit, never a block.
 */
import { useEffect, useId } from 'react';
import type { BackendName } from '../core/backend';
import { chosenModel, maxLengthInUse } from '../state/modelsSlice';
import { currentRowLengths } from '../state/rowLengths';
import { studio, useStudio } from '../state/studio';
import { formatBytes } from '../core/format';
import { formatCount } from '../state/units';

const BACKEND_NAMES: Record<BackendName, string> = { webgpu: 'WebGPU', webgl: 'WebGL', wasm: 'WebAssembly', cpu: 'plain JS' };

const PARTS = [
  ['weights', 'Weights'],
  ['gradients', 'Gradients'],
  ['optimizer', 'Optimizer'],
  ['activations', 'Activations'],
] as const;

/** The length a step's batch is estimated at, and why: the longest training row when it is shorter than the maximum. */
function seqLenText(maxLength: number, longest: number | undefined): string {
  if (longest !== undefined && longest < maxLength) return `${longest} tokens (the longest training row; Max sequence length is ${maxLength})`;
  if (longest !== undefined) return `${maxLength} tokens (Max sequence length)`;
  return `${maxLength} tokens (a batch pads to its longest row: shorter rows hold less)`;
}

/** Re-estimates when anything the estimate depends on changes (debounced: sliders move fast). */
function useEstimateInputs(): void {
  const key = useStudio((s) => {
    const hp = s.settings.hyperparams;
    const m = chosenModel(s);
    return JSON.stringify([m?.id, !!m?.info, s.settings.task, s.settings.method, s.settings.backend, hp.batchSize, hp.maxLength, hp.dropout, hp.lora.r, hp.lora.targetModules, hp.freeze, hp.gradientCheckpointing === true, currentRowLengths(s)?.lengths[0]]);
  });
  useEffect(() => {
    const timer = setTimeout(() => void studio.getState().refreshMemoryEstimate(), 120);
    return () => clearTimeout(timer);
  }, [key]);
}

export function MemoryEstimate() {
  const headingId = useId();
  useEstimateInputs();
  const memory = useStudio((s) => s.memory);
  const auto = useStudio((s) => s.settings.backend === 'auto');
  const checkpointing = useStudio((s) => s.settings.hyperparams.gradientCheckpointing === true);
  const batchSize = useStudio((s) => s.settings.hyperparams.batchSize);
  const maxLength = useStudio(maxLengthInUse);
  const longest = useStudio((s) => currentRowLengths(s)?.lengths[0]);
  if (!memory) return null;
  const autoNote = auto ? ', which Auto picks here' : '';
  const { result, budget, backend, gpuWarning, error } = memory;
  return (
    <section className="memory" aria-labelledby={headingId}>
      <h3 id={headingId}>Memory estimate</h3>
      {error && <p className="muted small">Cannot estimate this run: {error}</p>}
      {result && (
        <>
          <dl className="memory-parts">
            {PARTS.map(([key, label]) => (
              <div key={key} className={`part part-${key}`}>
                <dt>{label}</dt>
                <dd>{formatBytes(result.estimate[key])}</dd>
              </div>
            ))}
            <div className="part total">
              <dt>Total</dt>
              <dd>{formatBytes(result.estimate.total)}</dd>
            </div>
          </dl>
          <MemoryBar total={result.estimate.total} budget={budget.bytes} parts={PARTS.map(([k]) => result.estimate[k])} />
          <p className="muted small memory-basis">
            {formatCount(result.estimate.trainableParams)} of {formatCount(result.estimate.totalParams)} parameters train. Estimated for {BACKEND_NAMES[backend]}{autoNote}: gradients include the clipping&apos;s temporaries, optimizer AdamW&apos;s moments (and the update&apos;s temporaries when they are the step&apos;s peak), activations all that a step keeps until its backward pass ends, for a batch of {batchSize} rows of {seqLenText(maxLength, longest)}.{checkpointing && ' With gradient checkpointing: each block keeps its input, and one block\'s tensors live at a time.'} Budget: about {formatBytes(budget.bytes)}, {budget.basis}.
          </p>
          {result.fits ? (
            <p className="memory-verdict ok" role="status">
              Fits: about {formatBytes(result.estimate.total)} of the {formatBytes(budget.bytes)} available.
            </p>
          ) : (
            <div className="alert warning" role="status">
              <div className="alert-title">This run will probably not fit in memory</div>
              <div>It {result.message}.</div>
              <div className="muted">You can still start it; the browser may stop the page if memory runs out.</div>
            </div>
          )}
          {gpuWarning && (
            <div className="alert warning" role="status">
              {gpuWarning}.
            </div>
          )}
        </>
      )}
    </section>
  );
}

/** The four parts stacked against the budget (the bar is the budget; past it, the overflow shows). */
function MemoryBar({ total, budget, parts }: { total: number; budget: number; parts: number[] }) {
  const scale = Math.max(total, budget);
  return (
    <div className={`memory-bar${total > budget ? ' over' : ''}`} aria-hidden="true">
      {parts.map((p, i) => (
        <span key={i} className={`seg seg-${i}`} style={{ width: `${(p / scale) * 100}%` }} />
      ))}
      <span className="budget-mark" style={{ left: `${(budget / scale) * 100}%` }} />
    </div>
  );
}
