/** Task, base model, method, backend, hyperparameter sliders and the run buttons. */
import { useId } from 'react';
import type { BackendChoice } from '../core/backend';
import type { Method, Task } from '../core/types';
import { SLIDERS, sliderValue, type SliderSpec } from '../state/hyperparams';
import { studio, useStudio } from '../state/studio';
import { suggestedMethod } from '../state/trainingSlice';
import { LoraTargets } from './LoraTargets';
import { MemoryEstimate } from './MemoryEstimate';
import { MoreSettings } from './MoreSettings';
import { ModelSource } from './ModelSource';
import { RowLengthNote } from './RowLengthNote';
import { SampleSettingsNote } from './SampleSettingsNote';
import { NumberInput, SelectField } from './studioControls';
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
  const size = `${(params / 1e6).toFixed(params < 10e6 ? 1 : 0)} M parameters`;
  return suggestedMethod(params) === 'full' ? `${size}: full fine-tuning fits and learns most.` : `${size}: LoRA keeps memory low.`;
}

const BACKENDS: [BackendChoice, string][] = [
  ['auto', 'Auto (best available)'],
  ['webgpu', 'WebGPU'],
  ['webgl', 'WebGL'],
  ['wasm', 'WebAssembly (CPU)'],
  ['cpu', 'Plain JS (CPU)'],
];

function Slider({ spec, value, onChange, disabled }: { spec: SliderSpec; value: number; onChange: (v: number) => void; disabled?: boolean }) {
  const id = useId();
  const hintId = useId();
  const shown = spec.format(value);
  return (
    <div className="slider">
      <div className="slider-head">
        <label htmlFor={id}>{spec.label}</label>
        <output htmlFor={id} className="slider-value">
          {shown}
        </output>
      </div>
      <input
        id={id}
        type="range"
        min={spec.min}
        max={spec.max}
        step={spec.step}
        value={spec.toSlider(value)}
        aria-valuetext={shown}
        aria-describedby={hintId}
        disabled={disabled}
        onChange={(e) => onChange(spec.fromSlider(Number(e.target.value)))}
      />
      <div id={hintId} className="hint">
        {spec.hint}
      </div>
    </div>
  );
}

function RunButtons() {
  const active = useStudio((s) => s.active);
  const start = useStudio((s) => s.startTraining);
  const pause = useStudio((s) => s.pauseTraining);
  const resume = useStudio((s) => s.resumeTraining);
  const stop = useStudio((s) => s.stopTraining);
  const canStart = useStudio((s) => s.selectedDatasetId !== null && s.settings.modelId !== null);
  const paused = active?.status === 'paused';
  return (
    <div className="buttons">
      <button type="button" className="button primary" disabled={active !== null || !canStart} onClick={() => void start()}>
        Start training
      </button>
      <button type="button" className="button" disabled={!active || (active.status !== 'running' && active.status !== 'paused')} onClick={paused ? resume : pause}>
        {paused ? 'Resume' : 'Pause'}
      </button>
      <button type="button" className="button danger" disabled={!active || active.status === 'stopping' || active.status === 'saving'} onClick={stop}>
        Stop training
      </button>
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
        <SelectField label="Backend" value={settings.backend} options={BACKENDS} onChange={setBackend} disabled={busy} />
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
          <Slider key={spec.key} spec={spec} value={sliderValue(hp, spec.key)} onChange={(v) => setSlider(spec.key, v)} disabled={busy} />
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
