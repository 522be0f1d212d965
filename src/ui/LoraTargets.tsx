/** Which modules LoRA adapts, from the chosen model's family (arch.loraTargets), defaults ticked. */
import { chosenModel, effectiveLoraTargets } from '../state/modelsSlice';
import { studio, useStudio } from '../state/studio';

export function LoraTargets() {
  const info = useStudio((s) => chosenModel(s)?.info);
  const chosen = useStudio((s) => s.settings.hyperparams.lora.targetModules);
  const busy = useStudio((s) => s.active !== null);
  if (!info) return null;
  const { setLoraTargets } = studio.getState();
  const on = effectiveLoraTargets(chosen, info);
  const isDefault = on.length === info.loraTargets.default.length && on.every((t) => info.loraTargets.default.includes(t));
  const toggle = (t: string, checked: boolean) => {
    const next = info.loraTargets.all.filter((x) => (x === t ? checked : on.includes(x)));
    // LoRA needs at least one module: unticking the last one keeps it.
    if (next.length === 0) return;
    // The family's defaults are stored as "none chosen", so a run records the defaults as PEFT would.
    const same = next.length === info.loraTargets.default.length && next.every((x) => info.loraTargets.default.includes(x));
    setLoraTargets(same ? [] : next);
  };
  return (
    <fieldset className="lora-targets" disabled={busy}>
      <legend>LoRA target modules</legend>
      <div className="target-list">
        {info.loraTargets.all.map((t) => (
          <label key={t} className="check">
            <input type="checkbox" checked={on.includes(t)} onChange={(e) => toggle(t, e.target.checked)} />
            <code>{t}</code>
          </label>
        ))}
      </div>
      <div className="hint">
        {isDefault ? 'The family\u2019s defaults. ' : ''}More modules adapt more of the model, with more trainable parameters and memory.
        {!isDefault && (
          <>
            {' '}
            <button type="button" className="link inline" onClick={() => setLoraTargets([])}>
              Back to defaults
            </button>
          </>
        )}
      </div>
    </fieldset>
  );
}
