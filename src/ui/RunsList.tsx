/** Every run with its settings, status and final metrics; view curves, download, reuse, delete. */
import type { RunEvaluation, RunRecord } from '../storage/db';
import { describeCut } from '../core/train/encodeStats';
import { formatLearningRate } from '../state/hyperparams';
import { formatDuration, trainingTime } from '../state/metrics';
import { studio, useStudio } from '../state/studio';
import { RunCompare } from './RunCompare';
import { ResumeButton, resumableNow } from './ResumeButton';

const METHOD = { full: 'full', freeze: 'freeze', lora: 'LoRA' } as const;
const TASK = { lm: 'text generation', classify: 'classification' } as const;

function settingsLine(r: RunRecord): string {
  const hp = r.hyperparams;
  const parts = [
    `lr ${formatLearningRate(hp.learningRate)}`,
    `${hp.epochs} epoch${hp.epochs === 1 ? '' : 's'}`,
    `batch ${hp.batchSize}`,
    `len ${hp.maxLength}`,
    `dropout ${hp.dropout}`,
    `wd ${hp.weightDecay}`,
    `warmup ${hp.warmupSteps}`,
  ];
  if (r.method === 'lora') parts.push(`r ${hp.lora.r}`, `α ${hp.lora.alpha}`);
  if (r.method === 'freeze') parts.push(`top ${hp.freeze.trainableBlocks} block${hp.freeze.trainableBlocks === 1 ? '' : 's'}${hp.freeze.trainEmbeddings ? ' + embeddings' : ''}`);
  if (hp.schedule !== 'linear') parts.push(`${hp.schedule} schedule`);
  if (hp.gradAccumSteps > 1) parts.push(`accumulate ${hp.gradAccumSteps}`);
  if (hp.maxGradNorm !== 1) parts.push(hp.maxGradNorm > 0 ? `clip ${hp.maxGradNorm}` : 'no clip');
  if (hp.evalEvery > 0) parts.push(`validate every ${hp.evalEvery}`);
  if (hp.patience > 0) parts.push(`patience ${hp.patience}`);
  if (hp.groupByLength) parts.push('grouped by length');
  if (hp.gradientCheckpointing) parts.push('gradient checkpointing');
  if (r.task === 'classify' && hp.classWeights) parts.push('class weights');
  parts.push(`val ${Math.round(hp.valSplit * 100)}%`, `seed ${hp.seed}`);
  if (hp.maxSteps > 0) parts.push(`max ${hp.maxSteps} steps`);
  return parts.join(' · ');
}

function metricsLine(r: RunRecord): string | null {
  const f = r.final;
  if (!f) return null;
  const parts = [`${f.steps} steps`];
  if (f.trainLoss !== undefined) parts.push(`train loss ${f.trainLoss.toFixed(4)}`);
  if (f.valLoss !== undefined) parts.push(`val loss ${f.valLoss.toFixed(4)}`);
  if (f.valAccuracy !== undefined) parts.push(`val accuracy ${(f.valAccuracy * 100).toFixed(1)}%`);
  if (f.perplexity !== undefined && r.task === 'lm') parts.push(`perplexity ${f.perplexity.toFixed(2)}`);
  const took = trainingTime(r);
  if (took !== undefined) parts.push(`took ${formatDuration(took)}`);
  return parts.join(' · ');
}

function evaluationLine(e: RunEvaluation): string {
  const parts = [`${e.on} (${e.rows} rows)`];
  if (e.accuracy !== undefined) parts.push(`accuracy ${(e.accuracy * 100).toFixed(1)}%${e.bowAccuracy !== undefined ? ` (bag-of-words ${(e.bowAccuracy * 100).toFixed(1)}%)` : ''}`);
  if (e.macroF1 !== undefined) parts.push(`macro F1 ${e.macroF1.toFixed(3)}`);
  if (e.perplexity !== undefined) parts.push(`perplexity ${e.perplexity.toFixed(2)}`);
  if (e.exactMatch !== undefined) parts.push(`exact match ${(e.exactMatch * 100).toFixed(1)}%`);
  return `Evaluated on ${parts.join(' · ')}`;
}

function RunItem({ run, viewed, live, busy, compared, unsaved }: { run: RunRecord; viewed: boolean; live: boolean; busy: boolean; compared: boolean; unsaved: boolean }) {
  const { viewRun, downloadWeights, deleteRun, reuseSettings, toggleCompare, keepUnsaved } = studio.getState();
  const hasWeights = run.status === 'completed' || run.status === 'stopped';
  const resumable = resumableNow(run, live);
  const metrics = metricsLine(run);
  // Shown apart from the message, which a completed run keeps out of sight.
  const cut = run.final?.data && run.status === 'completed' ? describeCut(run.final.data) : null;
  return (
    <li aria-label={run.name} className={`run${viewed ? ' selected' : ''}`}>
      <div className="run-head">
        <button type="button" className="item-main" aria-pressed={viewed} onClick={() => void viewRun(run.id)} title="Show this run's curves">
          <span className="item-title">{run.name}</span>
          <span className="item-meta">
            {TASK[run.task]} · {METHOD[run.method]} · {run.modelName} · {run.datasetName} · {run.backend ?? run.backendChoice} ·{' '}
            {new Date(run.createdAt).toLocaleString()}
          </span>
        </button>
        <span className={`status status-${run.status}`}>{run.status}</span>
      </div>
      <div className="run-settings small">{settingsLine(run)}</div>
      {metrics && <div className="run-metrics small">{metrics}</div>}
      {run.evaluations?.map((e) => (
        <div key={e.on} className="run-metrics small run-evaluation">
          {evaluationLine(e)}
        </div>
      ))}
      {cut && <div className="run-note small">{cut[0].toUpperCase() + cut.slice(1)}.</div>}
      {run.message && (run.status !== 'completed' || unsaved) && (
        <div className={`run-note small${run.status === 'failed' || unsaved ? ' error' : ''}`} role={unsaved ? 'alert' : undefined}>
          {run.message}
        </div>
      )}
      <div className="run-actions">
        {resumable ? (
          <ResumeButton run={run} at={resumable} busy={busy} />
        ) : (
          <button type="button" className="button small primary" disabled={!hasWeights || live} onClick={() => void downloadWeights(run.id)}>
            Download weights
          </button>
        )}
        {unsaved && (
          <button type="button" className="button small" onClick={() => void keepUnsaved(run.id)}>
            Keep in this browser
          </button>
        )}
        <button type="button" className="button small" onClick={() => reuseSettings(run.id)} disabled={live}>
          Reuse settings
        </button>
        <button type="button" className="button small danger-text" aria-label={`Delete run ${run.name}`} disabled={live} onClick={() => void deleteRun(run.id)}>
          Delete
        </button>
        <label className="compare-toggle small">
          <input type="checkbox" checked={compared} onChange={() => void toggleCompare(run.id)} aria-label={`Compare ${run.name}`} />
          Compare
        </label>
      </div>
    </li>
  );
}

export function RunsList() {
  const runs = useStudio((s) => s.runs);
  const viewRunId = useStudio((s) => s.viewRunId);
  const activeId = useStudio((s) => s.active?.runId);
  const downloadError = useStudio((s) => s.downloadError);
  const compareIds = useStudio((s) => s.compareIds);
  const unsaved = useStudio((s) => s.unsaved);
  return (
    <section className="card" aria-labelledby="runs-title">
      <h2 id="runs-title">Runs</h2>
      {downloadError && (
        <div className="alert error" role="alert">
          {downloadError}
        </div>
      )}
      <RunCompare />
      {runs.length === 0 ? (
        <p className="empty">No runs yet. Runs, their curves and their weights are kept in this browser.</p>
      ) : (
        <ul className="run-list" aria-label="Runs">
          {runs.map((r) => (
            <RunItem key={r.id} run={r} viewed={r.id === viewRunId} live={r.id === activeId} busy={activeId !== undefined} compared={compareIds.includes(r.id)} unsaved={r.id in unsaved} />
          ))}
        </ul>
      )}
    </section>
  );
}
