/**
 * @genai-fi/nanogpt (npm), a published in-browser GPT trainer on tfjs 4.22, run on the
 * same shapes through its own training step (BasicTrainer.trainStep: forward, its
 * fused sparse cross-entropy, its AdamW with global-norm clipping at 1).
 *
 * The package bundles its own copy of tfjs-core with cpu, webgl and a patched webgpu
 * backend (no wasm), so it must run in a process or page of its own. Its model is
 * NanoGPTV1 with learned position embeddings (useRope: false), RMSNorm and a tied
 * head: the same layer/width/head/context/vocab shape as the studio's GPT-2, not the
 * same norm. Its package exports only the top-level API, so the trainer and backend
 * selection are imported from their files.
 */
import { syntheticTokens, type BenchBackend, type BenchConfig } from './configs';
import { engine as tfEngine, type BenchSession } from './measure';

interface TensorLike {
  data(): Promise<ArrayLike<number>>;
  dispose(): void;
}

interface NanoTrainer {
  trainStep(state: object, batch: { xs: TensorLike; ys: TensorLike }, dummy?: boolean, keepGrads?: boolean): TensorLike;
  configure(opts: object): void;
  dispose(): void;
}

interface NanoModel {
  forward(attrs: object, idx: TensorLike): TensorLike;
  dispose(): void;
}

export async function createNanoGpt(cfg: BenchConfig, backend: BenchBackend): Promise<BenchSession> {
  if (backend === 'wasm') {
    throw new Error('not run: @genai-fi/nanogpt 1.3.0 bundles only the cpu, webgl and webgpu tfjs backends (no wasm); its selectBackend() accepts cpu | webgl | webgpu');
  }
  if (cfg.loraR) throw new Error('not run: the bench drives nanogpt for full training only (its LoRA targets its own layer names)');
  const g = globalThis as { window?: unknown; process?: { versions?: { node?: string } } };
  if (g.process?.versions?.node && g.window === undefined) {
    // Its dist is a browser build: the Node platform of its bundled tfjs-core has Node's
    // util stubbed out and cannot start, so it is told it runs in a (document-less) browser.
    g.window = { document: {} };
  }
  const main = (await import('../../node_modules/@genai-fi/nanogpt/dist/main.js')) as unknown as {
    models: { NanoGPTV1: new (c: object) => NanoModel };
  };
  const { selectBackend } = (await import('../../node_modules/@genai-fi/nanogpt/dist/backend.js')) as unknown as {
    selectBackend(b: string): Promise<void>;
  };
  const BasicTrainer = (await import('../../node_modules/@genai-fi/nanogpt/dist/training/BasicTrainer.js')).default as unknown as new (
    m: NanoModel,
    tok: unknown,
    opt: object,
  ) => NanoTrainer;
  // Tensors come from the engine of its own tfjs copy.
  const engine = tfEngine() as unknown as { makeTensor(v: Int32Array, s: number[], d: string): TensorLike; backendName: string };
  await selectBackend(backend);
  if (engine.backendName !== backend) throw new Error(`nanogpt could not start the ${backend} backend (got ${engine.backendName})`);

  const model = new main.models.NanoGPTV1({
    modelType: 'GenAI_NanoGPT_v1',
    vocabSize: cfg.vocab,
    blockSize: cfg.ctx,
    nLayer: cfg.nLayer,
    nHead: cfg.heads,
    nEmbed: cfg.d,
    mlpFactor: 4,
    useRope: false,
  });
  // Its gradient clipping runs kernels (Norm2, ClipScale) it registers for webgpu only.
  const clip = backend === 'webgpu';
  const trainer = new BasicTrainer(model, null, { learningRate: 1e-3, weightDecay: 0.01, clipNorm: clip ? 1 : undefined, warmupSteps: 0 });
  trainer.configure({ method: { type: 'pretraining' }, learningRate: 1e-3, dropout: 0 });
  const { batch: B, ctx: T } = cfg;
  const toks = syntheticTokens(B * (T + 1), cfg.vocab, 1234);
  const xsArr = new Int32Array(B * T);
  const ysArr = new Int32Array(B * T);
  for (let b = 0; b < B; b++) {
    xsArr.set(toks.subarray(b * (T + 1), b * (T + 1) + T), b * T);
    ysArr.set(toks.subarray(b * (T + 1) + 1, (b + 1) * (T + 1)), b * T);
  }
  const xs = engine.makeTensor(xsArr, [B, T], 'int32');
  const ys = engine.makeTensor(ysArr, [B, T], 'int32');
  const state = {};
  return {
    note: `NanoGPTV1 (RMSNorm, learned positions, tied head) via BasicTrainer.trainStep${clip ? '' : '; no grad clipping (its clip kernels are webgpu-only)'}`,
    async step() {
      const loss = trainer.trainStep(state, { xs, ys });
      const v = (await loss.data())[0];
      loss.dispose();
      return v;
    },
    dispose() {
      trainer.dispose();
      model.dispose();
      xs.dispose();
      ys.dispose();
    },
  };
}
