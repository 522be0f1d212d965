/** The engine's other training settings, folded under the sliders: schedule, accumulation, validation cadence, early stopping, clipping, class weights, frozen blocks. */
import type { ScheduleKind } from '../core/types';
import { moreSettingsSummary } from '../state/hyperparams';
import { studio, useStudio } from '../state/studio';
import { currentVersionId } from '../state/studioDataSlice';
import { Check, NumberInput, Range, SelectField } from './studioControls';

const SCHEDULES: [ScheduleKind, string][] = [
  ['linear', 'Linear decay'],
  ['cosine', 'Cosine decay'],
  ['constant', 'Constant'],
];

export function MoreSettings({ layers }: { layers: number | undefined }) {
  const settings = useStudio((s) => s.settings);
  const busy = useStudio((s) => s.active !== null);
  const { setHyperparams } = studio.getState();
  const hp = settings.hyperparams;
  // A data version's own validation split validates even with the slider at 0.
  const versionValidates = useStudio((s) => (s.versions.find((v) => v.id === currentVersionId(s))?.stats.splits.validation ?? 0) > 0);
  const noValidation = hp.valSplit === 0 && !versionValidates;
  return (
    <details className="more-settings">
      <summary>
        More settings <span className="muted small">({moreSettingsSummary(hp, settings.method, settings.task)})</span>
      </summary>
      <div className="sliders">
        <SelectField
          label="Learning-rate schedule"
          value={hp.schedule}
          options={SCHEDULES}
          onChange={(schedule) => setHyperparams({ schedule })}
          disabled={busy}
          hint="After the warm-up: down to 0 in a line or along a cosine, or kept."
        />
        <NumberInput
          label="Gradient accumulation"
          value={hp.gradAccumSteps}
          min={1}
          onChange={(gradAccumSteps) => setHyperparams({ gradAccumSteps })}
          disabled={busy}
          hint={`Batches summed per update: an effective batch of ${hp.batchSize * hp.gradAccumSteps} in the memory of ${hp.batchSize}.`}
        />
        <Range
          label="Gradient clipping"
          value={hp.maxGradNorm}
          min={0}
          max={5}
          step={0.5}
          format={(v) => (v > 0 ? String(v) : 'off')}
          onChange={(maxGradNorm) => setHyperparams({ maxGradNorm })}
          disabled={busy}
          hint="Largest gradient norm per update (0: off)."
        />
        <NumberInput
          label="Validate every"
          value={hp.evalEvery}
          min={0}
          onChange={(evalEvery) => setHyperparams({ evalEvery })}
          disabled={busy || noValidation}
          hint={noValidation ? 'No validation split: nothing to validate on.' : 'Steps between validations (0: once per epoch). More points on the curve, a slower run.'}
        />
        <NumberInput
          label="Early stopping"
          value={hp.patience}
          min={0}
          onChange={(patience) => setHyperparams({ patience })}
          disabled={busy || noValidation}
          hint={
            noValidation
              ? 'Needs a validation split.'
              : 'Stop after this many validations without a lower loss, and keep the best weights (0: off).'
          }
        />
        <div className="field check-field">
          <Check label="Group by length" checked={hp.groupByLength === true} onChange={(groupByLength) => setHyperparams({ groupByLength })} disabled={busy} />
          <div className="hint">Batch rows of about the same length: less padding, faster steps on rows of mixed lengths (transformers' group_by_length).</div>
        </div>
        <div className="field check-field">
          <Check label="Gradient checkpointing" checked={hp.gradientCheckpointing === true} onChange={(gradientCheckpointing) => setHyperparams({ gradientCheckpointing })} disabled={busy} />
          <div className="hint">Each block runs again in the backward pass instead of keeping its tensors: far less memory for long rows and big batches, for one more forward pass per step.</div>
        </div>
        {settings.task === 'classify' && (
          <div className="field check-field">
            <Check label="Weight classes" checked={hp.classWeights} onChange={(classWeights) => setHyperparams({ classWeights })} disabled={busy} />
            <div className="hint">Weigh each class by its inverse frequency in the loss, for labels that are far from balanced.</div>
          </div>
        )}
        {settings.method === 'freeze' && (
          <>
            <NumberInput
              label="Trained blocks"
              value={hp.freeze.trainableBlocks}
              min={1}
              onChange={(trainableBlocks) => setHyperparams({ freeze: { ...hp.freeze, trainableBlocks: layers ? Math.min(layers, trainableBlocks) : trainableBlocks } })}
              disabled={busy}
              hint={`The top blocks train (with the final norm and the head); the rest stay frozen${layers ? ` (the model has ${layers})` : ''}.`}
            />
            <div className="field check-field">
              <Check label="Train embeddings" checked={hp.freeze.trainEmbeddings} onChange={(trainEmbeddings) => setHyperparams({ freeze: { ...hp.freeze, trainEmbeddings } })} disabled={busy} />
              <div className="hint">Also train the token (and position) embeddings.</div>
            </div>
          </>
        )}
      </div>
    </details>
  );
}
