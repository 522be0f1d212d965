/**
 * The README.md (model card) that goes with downloaded weights, as the Hugging Face Hub
 * reads it: YAML front matter (base model, library, pipeline, tags), then how the run was
 * trained and what it scored, held-out evaluations included.
 */
import type { RunRecord } from '../storage/db';
import { trainingTime } from './metrics';

const PIPELINE = { classify: 'text-classification', lm: 'text-generation' } as const;
const METHOD = { full: 'full fine-tuning', freeze: 'freezing all but the top blocks', lora: 'LoRA' } as const;

/** A YAML scalar: quoted when it could be read as something else. */
function yaml(s: string): string {
  return /^[\w./-]+$/.test(s) && !/^(true|false|null|yes|no|\d+(\.\d+)?)$/i.test(s) ? s : JSON.stringify(s);
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

export interface CardOptions {
  /** The base model's Hub repo id, when it came from the Hub. */
  baseRepo?: string;
  /** The card for the PEFT adapter folder rather than the merged model. */
  adapter?: boolean;
}

export function modelCard(run: RunRecord, opts: CardOptions = {}): string {
  const hp = run.hyperparams;
  const tags = ['fine-tuning-studio', run.task === 'classify' ? 'text-classification' : 'text-generation', ...(run.method === 'lora' ? ['lora'] : [])];
  const front = [
    '---',
    ...(opts.baseRepo ? [`base_model: ${yaml(opts.baseRepo)}`] : []),
    `library_name: ${opts.adapter ? 'peft' : 'transformers'}`,
    `pipeline_tag: ${PIPELINE[run.task]}`,
    'tags:',
    ...tags.map((t) => `- ${t}`),
    '---',
  ];
  const method =
    run.method === 'lora'
      ? `LoRA (rank ${hp.lora.r}, alpha ${hp.lora.alpha}, dropout ${hp.lora.dropout}, on ${hp.lora.targetModules.length ? hp.lora.targetModules.join(', ') : "the family's default modules"})`
      : run.method === 'freeze'
        ? `${METHOD.freeze} (top ${hp.freeze.trainableBlocks} block${hp.freeze.trainableBlocks === 1 ? '' : 's'} trained${hp.freeze.trainEmbeddings ? ', embeddings too' : ''})`
        : METHOD.full;
  const what = opts.adapter
    ? 'This folder is the PEFT adapter; the folder above it holds the same weights merged into the base model.'
    : run.method === 'lora'
      ? 'The LoRA weights are merged into this model; the PEFT adapter alone is in `adapter/`.'
      : 'The folder is in transformers layout.';
  const f = run.final;
  const results: string[] = [];
  if (f) {
    results.push(`- Steps: ${f.steps}${run.totalSteps ? ` of ${run.totalSteps}` : ''}${f.stopReason ? ` (${f.stopReason})` : ''}`);
    if (f.trainLoss !== undefined) results.push(`- Final training loss: ${f.trainLoss.toFixed(4)}`);
    if (f.valLoss !== undefined) results.push(`- Validation loss: ${f.valLoss.toFixed(4)}`);
    if (f.valAccuracy !== undefined) results.push(`- Validation accuracy: ${pct(f.valAccuracy)}`);
    if (f.perplexity !== undefined && run.task === 'lm') results.push(`- Validation perplexity: ${f.perplexity.toFixed(2)}`);
  }
  const evals = run.evaluations ?? [];
  const evalTable =
    evals.length === 0
      ? []
      : [
          '',
          '### Held-out evaluation',
          '',
          run.task === 'classify' ? '| rows | count | accuracy | macro F1 | bag-of-words baseline (accuracy / macro F1) |' : '| rows | count | perplexity | exact match | token F1 |',
          run.task === 'classify' ? '| --- | --- | --- | --- | --- |' : '| --- | --- | --- | --- | --- |',
          ...evals.map((e) =>
            run.task === 'classify'
              ? `| ${e.on} | ${e.rows} | ${e.accuracy !== undefined ? pct(e.accuracy) : '–'} | ${e.macroF1?.toFixed(3) ?? '–'} | ${e.bowAccuracy !== undefined ? `${pct(e.bowAccuracy)} / ${e.bowMacroF1?.toFixed(3) ?? '–'}` : '–'} |`
              : `| ${e.on} | ${e.rows} | ${e.perplexity?.toFixed(2) ?? '–'} | ${e.exactMatch !== undefined ? pct(e.exactMatch) : '–'} | ${e.tokenF1?.toFixed(3) ?? '–'} |`,
          ),
        ];
  return [
    ...front,
    `# ${run.name}`,
    '',
    `${run.task === 'classify' ? 'A text classifier' : 'A text generator'} fine-tuned from ${opts.baseRepo ? `[${run.modelName}](https://huggingface.co/${opts.baseRepo})` : `**${run.modelName}**`} on **${run.datasetName}**, in the browser with the Fine-tuning Studio (backend: ${run.backend ?? run.backendChoice}). ${what}`,
    '',
    '## Training',
    '',
    `- Method: ${method}`,
    `- Epochs: ${hp.epochs}${hp.maxSteps ? `, at most ${hp.maxSteps} steps` : ''}; batch size ${hp.batchSize}${hp.gradAccumSteps > 1 ? ` x ${hp.gradAccumSteps} accumulated` : ''}${hp.groupByLength ? ' (rows grouped by length)' : ''}; max length ${hp.maxLength} tokens`,
    `- Learning rate ${hp.learningRate} (${hp.schedule}, ${hp.warmupSteps} warm-up steps); AdamW, weight decay ${hp.weightDecay}; gradient clipping at ${hp.maxGradNorm}; dropout ${hp.dropout}`,
    `- Seed ${hp.seed}; validation: ${hp.valSplit > 0 ? `${Math.round(hp.valSplit * 100)}% of the rows (or the data version's validation split)` : "the data version's validation split, if any"}, ${hp.evalEvery > 0 ? `every ${hp.evalEvery} steps` : 'once per epoch'}${hp.patience > 0 ? `; early stopping after ${hp.patience} validations without a lower loss, best weights kept` : ''}${run.task === 'classify' && hp.classWeights ? '; classes weighted by inverse frequency' : ''}`,
    ...(run.finishedAt ? [`- Trained ${new Date(run.createdAt).toISOString().slice(0, 10)}, in ${Math.round(trainingTime(run)! / 1000)} s`] : []),
    '',
    '## Results',
    '',
    ...(results.length ? results : ['- No metrics were recorded.']),
    ...evalTable,
    '',
  ].join('\n');
}
