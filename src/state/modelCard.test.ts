import { describe, expect, it } from 'vitest';
import { DEFAULT_HYPERPARAMS } from '../core/types';
import type { RunRecord } from '../storage/db';
import { modelCard } from './modelCard';

const run = (over: Partial<RunRecord> = {}): RunRecord => ({
  id: 1,
  name: 'classify-lora-2',
  createdAt: Date.UTC(2026, 10, 28, 3, 0, 0),
  finishedAt: Date.UTC(2026, 10, 28, 3, 4, 10),
  datasetId: 1,
  datasetName: 'spam · v1',
  versionId: 3,
  modelId: 'hub:https://huggingface.co/org/tiny-gpt2@main',
  modelName: 'tiny-gpt2',
  task: 'classify',
  method: 'lora',
  backendChoice: 'auto',
  backend: 'webgpu',
  hyperparams: { ...DEFAULT_HYPERPARAMS, lora: { r: 4, alpha: 8, dropout: 0.05, targetModules: ['c_attn'] } },
  status: 'completed',
  totalSteps: 240,
  final: { steps: 240, trainLoss: 0.0312, valLoss: 0.1204, valAccuracy: 0.9625, stopReason: 'completed' },
  evaluations: [{ on: 'spam · v1, test split', rows: 163, at: 1, accuracy: 0.9325, macroF1: 0.93312 }],
  ...over,
});

/** The YAML front matter as key -> value lines (the card's only YAML: scalars and one list). */
function frontMatter(card: string): string[] {
  const lines = card.split('\n');
  expect(lines[0]).toBe('---');
  const end = lines.indexOf('---', 1);
  expect(end).toBeGreaterThan(0);
  return lines.slice(1, end);
}

describe('modelCard()', () => {
  it('describes a LoRA classifier: Hub front matter, the recipe, validation and held-out results', () => {
    const card = modelCard(run(), { baseRepo: 'org/tiny-gpt2' });
    expect(frontMatter(card)).toEqual(['base_model: org/tiny-gpt2', 'library_name: transformers', 'pipeline_tag: text-classification', 'tags:', '- fine-tuning-studio', '- text-classification', '- lora']);
    expect(card).toContain('fine-tuned from [tiny-gpt2](https://huggingface.co/org/tiny-gpt2) on **spam · v1**');
    expect(card).toContain('backend: webgpu');
    expect(card).toContain('The LoRA weights are merged into this model; the PEFT adapter alone is in `adapter/`.');
    expect(card).toContain('- Method: LoRA (rank 4, alpha 8, dropout 0.05, on c_attn)');
    expect(card).toContain('- Learning rate 0.0005 (linear, 10 warm-up steps); AdamW, weight decay 0.01; gradient clipping at 1; dropout 0.1');
    expect(card).toContain("- Seed 42; validation: 10% of the rows (or the data version's validation split), once per epoch\n");
    expect(card).toContain('- Trained 2026-11-28, in 250 s');
    expect(card).toContain('- Steps: 240 of 240 (completed)');
    expect(card).toContain('- Validation accuracy: 96.3%');
    expect(card).toContain('| spam · v1, test split | 163 | 93.3% | 0.933 | – |');
    const withBaseline = modelCard(run({ evaluations: [{ on: 'spam · v1, test split', rows: 160, at: 1, accuracy: 0.959, macroF1: 0.9587, bowAccuracy: 0.9625, bowMacroF1: 0.9624 }] }));
    expect(withBaseline).toContain('| spam · v1, test split | 160 | 95.9% | 0.959 | 96.3% / 0.962 |');
  });

  it('marks the adapter folder for PEFT, and leaves out a base model that is not on the Hub', () => {
    const card = modelCard(run(), { adapter: true });
    expect(frontMatter(card)).toContain('library_name: peft');
    expect(frontMatter(card).some((l) => l.startsWith('base_model'))).toBe(false);
    expect(card).toContain('fine-tuned from **tiny-gpt2**');
    expect(card).toContain('This folder is the PEFT adapter');
  });

  it('describes a full fine-tune of a text generator with perplexity and exact match', () => {
    const card = modelCard(
      run({
        name: 'generate-full-1',
        task: 'lm',
        method: 'full',
        final: { steps: 120, trainLoss: 1.5, valLoss: 2.4, perplexity: 11.02 },
        evaluations: [{ on: 'instructions · v1, test split', rows: 50, at: 1, perplexity: 11.97, exactMatch: 0.1, tokenF1: 0.163 }],
      }),
      { baseRepo: 'someone/model:v2' },
    );
    // A value YAML could misread is quoted.
    expect(frontMatter(card)).toEqual(['base_model: "someone/model:v2"', 'library_name: transformers', 'pipeline_tag: text-generation', 'tags:', '- fine-tuning-studio', '- text-generation']);
    expect(card).toContain('- Method: full fine-tuning');
    const stopped = modelCard(run({ hyperparams: { ...DEFAULT_HYPERPARAMS, evalEvery: 20, patience: 3, classWeights: true, groupByLength: true } }));
    expect(stopped).toContain('; batch size 8 (rows grouped by length); max length 256 tokens');
    expect(stopped).toContain(', every 20 steps; early stopping after 3 validations without a lower loss, best weights kept; classes weighted by inverse frequency\n');
    expect(card).toContain('- Validation perplexity: 11.02');
    expect(card).toContain('| instructions · v1, test split | 50 | 11.97 | 10.0% | 0.163 |');
  });
});
