/**
 * Evaluate the model loaded in the playground on held-out rows: its metrics, a classifier's
 * per-class scores, confusion matrix and mistakes, and how the metrics hold up when the
 * input is edited (typos, casing, punctuation, dropped words, synonyms).
 */
import { useId, type CSSProperties } from 'react';
import type { HeldOutReport } from '../core/eval/heldout';
import { PERTURBATIONS } from '../core/eval/perturbations';
import type { ClassificationReport } from '../core/eval/metrics';
import { robustnessAdvice } from '../state/evaluation';
import { studio, useStudio } from '../state/studio';
import { ProgressBar } from './ProgressBar';

const pct = (x: number | undefined) => (x === undefined ? '–' : `${(x * 100).toFixed(1)}%`);
const f3 = (x: number | undefined) => (x === undefined ? '–' : x.toFixed(3));
const ppl = (x: number | undefined) => (x === undefined ? '–' : x < 1000 ? x.toFixed(2) : x.toExponential(2));

function signed(delta: number, digits: number, unit = ''): string {
  const s = delta.toFixed(digits);
  return `${delta > 0 ? '+' : delta < 0 ? '' : '±'}${s}${unit}`;
}

/** What the classifier has to beat on the same rows. */
function Baselines({ report }: { report: HeldOutReport }) {
  const b = report.baselines;
  if (!b) return null;
  const m = report.metrics;
  const beats = (m.accuracy ?? 0) >= b.bow.accuracy && (m.macroF1 ?? 0) >= b.bow.macroF1;
  return (
    <table className="preview eval-table baselines" aria-label="Baselines">
      <thead>
        <tr>
          <th scope="col">On the same rows</th>
          <th scope="col">Accuracy</th>
          <th scope="col">Macro F1</th>
        </tr>
      </thead>
      <tbody>
        <tr className={beats ? 'beats' : 'behind'}>
          <th scope="row">This model</th>
          <td>{pct(m.accuracy)}</td>
          <td>{f3(m.macroF1)}</td>
        </tr>
        <tr>
          <th scope="row">Bag-of-words logistic regression, trained on the run's training data ({b.trainRows} rows)</th>
          <td>{pct(b.bow.accuracy)}</td>
          <td>{f3(b.bow.macroF1)}</td>
        </tr>
        <tr>
          <th scope="row">Always "{b.majority.label}" (the commonest training label)</th>
          <td>{pct(b.majority.accuracy)}</td>
          <td>{f3(b.majority.macroF1)}</td>
        </tr>
      </tbody>
    </table>
  );
}

function figuresOf(report: HeldOutReport): [string, string][] {
  const m = report.metrics;
  return report.task === 'classify'
    ? [
        ['Accuracy', pct(m.accuracy)],
        ['Macro F1', f3(m.macroF1)],
        ['Loss', f3(m.loss)],
      ]
    : [
        ['Perplexity', ppl(m.perplexity)],
        ['Loss (nats/token)', f3(m.loss)],
        ...(report.generation
          ? ([
              ['Exact match', pct(report.generation.exactMatch)],
              ['Token F1', f3(report.generation.tokenF1)],
            ] as [string, string][])
          : []),
      ];
}

/** The headline figures; with a compared model, its figure on the same rows under each. */
function Figures({ report, compared }: { report: HeldOutReport; compared?: { name: string; report: HeldOutReport } | null }) {
  const theirs = new Map(compared ? figuresOf(compared.report) : []);
  return (
    <dl className="eval-figures" aria-label="Held-out metrics">
      {figuresOf(report).map(([name, value]) => (
        <div key={name}>
          <dt>{name}</dt>
          <dd>{value}</dd>
          {compared && theirs.has(name) && (
            <dd className="compared-figure" aria-label={`${name} of ${compared.name}`}>
              {compared.name}: {theirs.get(name)}
            </dd>
          )}
        </div>
      ))}
    </dl>
  );
}

function PerClass({ c }: { c: ClassificationReport }) {
  return (
    <table className="preview eval-table" aria-label="Per-class scores">
      <thead>
        <tr>
          <th>Class</th>
          <th>Precision</th>
          <th>Recall</th>
          <th>F1</th>
          <th>Rows</th>
        </tr>
      </thead>
      <tbody>
        {c.perClass.map((k) => (
          <tr key={k.label}>
            <td>{k.label}</td>
            <td>{f3(k.precision)}</td>
            <td>{f3(k.recall)}</td>
            <td>{f3(k.f1)}</td>
            <td>{k.support}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Confusion({ c }: { c: ClassificationReport }) {
  const max = Math.max(1, ...c.confusion.flat());
  return (
    <table className="confusion" aria-label="Confusion matrix">
      <caption className="muted small">Rows: the true class · columns: what the model said</caption>
      <thead>
        <tr>
          <th scope="col">
            <span className="visually-hidden">True class</span>
          </th>
          {c.labels.map((l) => (
            <th key={l} scope="col">
              {l}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {c.confusion.map((row, t) => (
          <tr key={c.labels[t]}>
            <th scope="row">{c.labels[t]}</th>
            {row.map((n, p) => (
              <td
                key={c.labels[p]}
                className={t === p ? 'diag' : n > 0 ? 'off' : undefined}
                style={{ '--shade': n / max } as CSSProperties}
                aria-label={`true ${c.labels[t]}, predicted ${c.labels[p]}: ${n}`}
              >
                {n}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function RobustnessAdvice({ report }: { report: HeldOutReport }) {
  const advice = robustnessAdvice(report);
  // A run's own data can be augmented in one click; a base model's advice stays advice.
  const run = useStudio((s) => {
    const id = s.playground.source?.startsWith('run:') ? Number(s.playground.source.slice(4)) : null;
    return s.runs.find((r) => r.id === id && s.datasets.some((d) => d.id === r.datasetId)) ?? null;
  });
  if (!advice) return null;
  return (
    <div className="small advice" role="note" aria-label="What to try next">
      <p>{advice.text}</p>
      {run && (
        <button type="button" className="button" onClick={() => void studio.getState().augmentWith(advice.op, run.datasetId, run.versionId ?? null)}>
          Set up Augment → {advice.title} on {run.datasetName}
        </button>
      )}
    </div>
  );
}

function Robustness({ report }: { report: HeldOutReport }) {
  if (report.robustness.length === 0) {
    return <p className="muted small">Robustness needs an input to edit: a text to classify, a prompt or a user turn. A language model scored on plain text has none.</p>;
  }
  const classify = report.task === 'classify';
  const base = report.metrics;
  return (
    <table className="preview eval-table" aria-label="Robustness">
      <thead>
        <tr>
          <th>Edit of the input</th>
          {classify ? (
            <>
              <th>Accuracy</th>
              <th>Macro F1</th>
              <th>Predictions changed</th>
            </>
          ) : (
            <th>Perplexity</th>
          )}
          <th>Rows edited</th>
        </tr>
      </thead>
      <tbody>
        {report.robustness.map((r) => {
          const info = PERTURBATIONS.find((p) => p.id === r.perturbation)!;
          return (
            <tr key={r.perturbation}>
              <td title={info.description}>
                {info.label} <span className="muted">({info.description})</span>
              </td>
              {classify ? (
                <>
                  <td>
                    {pct(r.accuracy)} <span className="muted">{signed(((r.accuracy ?? 0) - (base.accuracy ?? 0)) * 100, 1, ' pt')}</span>
                  </td>
                  <td>{f3(r.macroF1)}</td>
                  <td>{r.flipped}</td>
                </>
              ) : (
                <td>
                  {ppl(r.perplexity)} <span className="muted">{signed((r.perplexity ?? 0) - (base.perplexity ?? 0), 2)}</span>
                </td>
              )}
              <td>
                {r.changed} of {report.count}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

function Completions({ report, compared }: { report: HeldOutReport; compared?: { name: string; report: HeldOutReport } | null }) {
  const g = report.generation!;
  // Both models complete the same seeded sample of prompts; their rows meet by index.
  const theirs = new Map((compared?.report.generation?.samples ?? []).map((s) => [s.index, s]));
  return (
    <details className="eval-mistakes" open>
      <summary>
        Completions: {g.samples.filter((s) => s.exact).length} of {g.samples.length} shown match exactly
        {g.rows < report.count ? ` (${g.rows} of ${report.count} prompts completed, a seeded sample)` : ''}
      </summary>
      <div className="table-wrap" tabIndex={0} role="region" aria-label="Completions, scrollable">
        <table className="preview eval-table" aria-label="Completions">
          <thead>
            <tr>
              <th>Prompt</th>
              <th>Reference</th>
              <th>The model wrote</th>
              <th>F1</th>
              {compared && <th>{compared.name} wrote</th>}
            </tr>
          </thead>
          <tbody>
            {g.samples.map((s) => (
              <tr key={s.index} className={s.exact ? 'exact' : undefined}>
                <td>{s.prompt}</td>
                <td>{s.reference}</td>
                <td>
                  {s.exact ? '✓ ' : ''}
                  {s.output || <span className="muted">(nothing)</span>}
                </td>
                <td>{f3(s.f1)}</td>
                {compared && (
                  <td className={theirs.get(s.index)?.exact ? 'exact-other' : undefined}>
                    {theirs.get(s.index)?.exact ? '✓ ' : ''}
                    {theirs.get(s.index)?.output || <span className="muted">(nothing)</span>}
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </details>
  );
}

function Mistakes({ report }: { report: HeldOutReport }) {
  const list = report.mistakes ?? [];
  const c = report.classification!;
  const wrong = report.count - c.confusion.reduce((a, row, i) => a + row[i], 0);
  if (wrong === 0) return <p className="muted small">No mistakes on these rows.</p>;
  return (
    <details className="eval-mistakes">
      <summary>
        Rows it gets wrong: {wrong}
        {list.length < wrong ? ` (the first ${list.length} shown)` : ''}
      </summary>
      <ol aria-label="Misclassified rows">
        {list.map((m) => (
          <li key={m.index}>
            <span className="mistake-labels">
              {m.label} → <strong>{m.predicted}</strong>
            </span>
            <span className="mistake-text">{m.text}</span>
          </li>
        ))}
      </ol>
    </details>
  );
}

export function Evaluation() {
  const headingId = useId();
  const selectId = useId();
  const pg = useStudio((s) => s.playground);
  const ev = pg.evaluation;
  const { chooseEvalSource, evaluateModel, downloadEvaluation } = studio.getState();
  const running = ev.status === 'running';
  const chosen = ev.sources.find((s) => s.key === ev.sourceKey);
  const report = ev.report;
  return (
    <div className="evaluation" role="region" aria-labelledby={headingId}>
      <h3 id={headingId}>Evaluate</h3>
      <div className="eval-controls">
        <div className="field">
          <label htmlFor={selectId}>Evaluate on</label>
          <select id={selectId} value={ev.sourceKey ?? ''} disabled={running || ev.sources.length === 0} onChange={(e) => void chooseEvalSource(e.target.value || null)}>
            <option value="">{ev.sources.length ? 'Choose rows…' : 'No datasets yet'}</option>
            {ev.sources.map((s) => (
              <option key={s.key} value={s.key}>
                {s.label} ({s.rows} rows)
              </option>
            ))}
          </select>
        </div>
        <button type="button" className="button primary" disabled={!chosen || running || pg.status !== 'ready'} onClick={() => void evaluateModel()}>
          {running ? 'Evaluating…' : 'Evaluate'}
        </button>
      </div>
      {pg.compare.model && <p className="hint">{pg.compare.model.name} (under "Compare with") is scored on the same rows too.</p>}
      {!ev.sources.some((s) => s.key.startsWith('test:')) && (
        <p className="hint">No test split yet: split a dataset in the data studio to hold rows out of training, or upload a separate file of test rows.</p>
      )}
      {chosen && ev.overlap !== null && ev.overlap > 0 && (
        <div className="alert" role="note">
          {ev.overlap >= chosen.rows ? 'This run trained on these rows' : `This run trained on ${ev.overlap} of these ${chosen.rows} rows`}: the scores show how well it fits
          them, not how it does on new data.
        </div>
      )}
      {running && (
        <ProgressBar
          label="Evaluation"
          fraction={ev.progress ? ev.progress.done / ev.progress.total : 0}
          text={ev.progress ? `${ev.progress.stage[0].toUpperCase()}${ev.progress.stage.slice(1)}…` : 'Reading the rows…'}
        />
      )}
      {ev.error && (
        <div className="alert error" role="alert">
          {ev.error}
        </div>
      )}
      {report && !running && (
        <div className="eval-report" aria-label="Evaluation report">
          <p className="muted small">
            {ev.evaluatedOn}: {report.count} rows scored
            {report.count < report.offered - report.empty ? `, a seeded sample of the ${report.offered} offered` : ''}
            {report.empty ? `; ${report.empty} without any text left out` : ''}.
            {ev.savedAt !== null && ` Kept with the run from ${new Date(ev.savedAt).toLocaleString()}; Evaluate scores it again.`}
          </p>
          <Figures report={report} compared={ev.compared} />
          <Baselines report={report} />
          <button type="button" className="button small eval-download" onClick={downloadEvaluation}>
            Download report (JSON)
          </button>
          {report.classification && (
            <div className="eval-grid">
              <PerClass c={report.classification} />
              <Confusion c={report.classification} />
            </div>
          )}
          <h4>Robustness</h4>
          <Robustness report={report} />
          <RobustnessAdvice report={report} />
          {report.task === 'classify' && <Mistakes report={report} />}
          {report.generation && <Completions report={report} compared={ev.compared} />}
        </div>
      )}
    </div>
  );
}
