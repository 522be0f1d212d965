/** What a finished run hands back: the model folder (LoRA merged) and, for LoRA, the PEFT adapter. */
import { tf } from '../backend';
import { saveModel } from '../io/hf';
import { passthroughFiles } from '../io/hfFiles';
import { saveAdapter } from '../io/peft';
import { mergedWeight } from '../model/lora';
import type { ModelFiles, TrainRequest } from '../types';
import type { PreparedRun } from './setup';

export async function buildOutputs(req: TrainRequest, prep: PreparedRun): Promise<{ model: ModelFiles; adapter?: ModelFiles }> {
  const { run } = prep;
  const head = req.task;
  const passthrough = passthroughFiles(req.base);
  if (!run.lora) return { model: await saveModel(run.model, head, passthrough) };

  const inOut = run.model.arch.weightLayout === 'in_out';
  const merged = new Map<string, tf.Tensor>();
  const owned: tf.Tensor[] = [];
  try {
    for (const [name, w] of run.model.params) {
      const module = name.replace(/\.weight$/, '');
      if (name.endsWith('.weight') && run.lora.modules.has(module)) {
        const m = mergedWeight(run.lora, module, w as tf.Tensor2D, inOut);
        owned.push(m);
        merged.set(name, m);
      } else merged.set(name, w);
    }
    const model = await saveModel(run.model, head, passthrough, merged);
    const headParams = new Map([...run.model.arch.headShapes(run.model.config, 2).keys()].map((n) => [n, run.model.params.get(n)!]));
    const baseName = String(run.model.config.raw._name_or_path ?? run.model.config.raw.name_or_path ?? run.model.config.modelType);
    const adapter = await saveAdapter(run.lora, {
      baseModel: baseName,
      taskType: head === 'lm' ? 'CAUSAL_LM' : 'SEQ_CLS',
      fanInFanOut: inOut,
      modulesToSave: head === 'classify' ? headParams : undefined,
    });
    return { model, adapter };
  } finally {
    for (const t of owned) t.dispose();
  }
}
