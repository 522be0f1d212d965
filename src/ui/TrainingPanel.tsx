/** Task, base model, method, backend, hyperparameter sliders and the run buttons. */
import { useId } from 'react';
import type { Method, Task } from '../core/types';
import { SLIDERS, sliderValue } from '../state/hyperparams';
import { studio, useStudio } from '../state/studio';
import { suggestedMethod } from '../state/trainingSlice';
import { formatCount } from '../state/units';
import { LoraTargets } from './LoraTargets';
import { MemoryEstimate } from './MemoryEstimate';
import { MoreSettings } from './MoreSettings';
import { ModelSource } from './ModelSource';
import { RowLengthNote } from './RowLengthNote';
import { SampleSettingsNote } from './SampleSettingsNote';
import { BACKEND_OPTIONS, NumberInput, Range, SelectField } from './studioControls';
import { TrainingDataNote } from './TrainingDataNote';

const TASKS: [Task, string][] = [
  ['lm', 'Text generation'],
  ['classify', 'Classification'],
];
const METHODS: [Method, string][] = [
  ['full', 'Full fine-tuning'],
  ['freeze', 'Freeze (train the top blocks)'],
  ['lora', 'LoRA'],
];
/** Which method suits the model's size, and why. */
function methodHint(params: number | undefined): string | undefined {
  if (params === undefined) return undefined;
  const size = `${formatCount(params)} parameters`;
  return suggestedMethod(params) === 'full' ? `${size}: full fine-tuning fits and learns most.` : `${size}: LoRA keeps memory low.`;
}

function RunButtons() {
  const active = useStudio((s) => s.active);
  const start = useStudio((s) => s.startTraining);
  const pause = useStudio((s) => s.pauseTraining);
  const resume = useStudio((s) => s.resumeTraining);
  const stop = useStudio((s) => s.stopTraining);
  // Why Start is off, when nothing is running: the newcomer's first question.
  const missing = useStudio((s) => (s.selectedDatasetId === null ? 'Upload a dataset or add a sample to train on.' : s.settings.modelId === null ? 'Choose a base model to fine-tune.' : null));
  const hintId = useId();
  const paused = active?.status === 'paused';
  return (
    <div className="buttons">
      <button type="button" className="button primary" disabled={active !== null || missing !== null} aria-describedby={missing && !active ? hintId : undefined} onClick={() => void start()}>
        Start training
      </button>
      <button type="button" className="button" disabled={!active || (active.status !== 'running' && active.status !== 'paused')} onClick={paused ? resume : pause}>
        {paused ? 'Resume' : 'Pause'}
      </button>
      <button type="button" className="button danger" disabled={!active || active.status === 'stopping' || active.status === 'saving'} onClick={stop}>
        Stop training
      </button>
      {missing && !active && (
        <span id={hintId} className="hint">
          {missing}
        </span>
      )}
    </div>
  );
}

function BackendBadge() {
  const active = useStudio((s) => s.active);
  const lastBackend = useStudio((s) => s.runs.find((r) => r.id === s.viewRunId)?.backend);
  if (active) {
    return (
      <span className="badge live" role="status" aria-label="Backend in use">
        {active.backend ? `Running on ${active.backend}${active.backend === 'wasm' ? ` · ${active.threads} thread${active.threads === 1 ? '' : 's'}` : ''}` : 'Starting backend…'}
      </span>
    );
  }
  return lastBackend ? (
    <span className="badge" role="status" aria-label="Backend in use">
      Last run on {lastBackend}
    </span>
  ) : null;
}

export function TrainingPanel() {
  const settings = useStudio((s) => s.settings);
  const models = useStudio((s) => s.models);
  const modelsError = useStudio((s) => s.modelsError);
  const trainError = useStudio((s) => s.trainError);
  const busy = useStudio((s) => s.active !== null);
  // Actions never change identity; read them once from the store.
  const { setTask, setModel, setMethod, setBackend, setSlider, setHyperparams } = studio.getState();
  const model = models.find((m) => m.id === settings.modelId);
  const hp = settings.hyperparams;
  const sliders = SLIDERS.filter((s) => !s.loraOnly || settings.method === 'lora');
  return (
    <section className="card" aria-labelledby="training-title">
      <div className="card-head">
        <h2 id="training-title">Training</h2>
        <BackendBadge />
      </div>
      <TrainingDataNote />
      <SampleSettingsNote />
      <div className="choices">
        <SelectField label="Task" value={settings.task} options={TASKS.filter(([t]) => !model?.info || model.info.tasks.includes(t))} onChange={setTask} disabled={busy} />
        <SelectField label="Base model" value={settings.modelId ?? ''} options={models.map((m) => [m.id, m.name])} onChange={setModel} disabled={busy || models.length === 0} />
        <SelectField label="Method" value={settings.method} options={METHODS} onChange={setMethod} disabled={busy} hint={methodHint(model?.info?.params)} />
        <SelectField label="Backend" value={settings.backend} options={BACKEND_OPTIONS} onChange={setBackend} disabled={busy} />
      </div>
      {model?.description && <p className="muted small model-description">{model.description}</p>}
      <ModelSource />
      {modelsError && (
        <div className="alert error" role="alert">
          {modelsError}
        </div>
      )}
      <div className="sliders">
        {sliders.map((spec) => (
          <Range key={spec.key} label={spec.label} min={spec.min} max={spec.max} step={spec.step} format={spec.format} hint={spec.hint} toPosition={spec.toSlider} fromPosition={spec.fromSlider} value={sliderValue(hp, spec.key)} onChange={(v) => setSlider(spec.key, v)} disabled={busy} />
        ))}
        <NumberInput label="Seed" value={hp.seed} min={0} onChange={(seed) => setHyperparams({ seed })} disabled={busy} hint="Same seed, same split and same initial weights." />
        <NumberInput label="Max steps" value={hp.maxSteps} min={0} onChange={(maxSteps) => setHyperparams({ maxSteps })} disabled={busy} hint="Stop after this many steps (0: no limit)." />
      </div>
      <RowLengthNote />
      {settings.method === 'lora' && <LoraTargets />}
      <MoreSettings layers={model?.info?.layers} />
      <MemoryEstimate />
      <RunButtons />
      {trainError && (
        <div className="alert error" role="alert">
          {trainError}
        </div>
      )}
    </section>
  );
}
