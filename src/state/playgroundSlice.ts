/**
 * The playground: load a finished run or a base model into its own worker, then stream a
 * completion (with sampling settings and a Stop) or score a text against a classifier.
 */
import type { BackendChoice, BackendName } from '../core/backend';
import type { ModelFiles } from '../core/types';
import { loadRunFiles } from '../storage/runs';
import type { PlaygroundSession } from '../workers/modelClients';
import type { Classification, GenerationEnd, GenerationSettings, PlaygroundModel } from '../workers/playgroundJob';
import type { SliceCreator } from './store';

export interface PlaygroundSettings {
  temperature: number;
  topK: number;
  topP: number;
  repetitionPenalty: number;
  maxNewTokens: number;
  /** One stop sequence per line, as typed. */
  stopSequences: string;
  chat: boolean;
}

export const DEFAULT_PLAYGROUND_SETTINGS: PlaygroundSettings = {
  temperature: 0.8,
  topK: 40,
  topP: 0.95,
  repetitionPenalty: 1.1,
  maxNewTokens: 64,
  stopSequences: '',
  chat: false,
};

export type PlaygroundStatus = 'idle' | 'loading' | 'ready' | 'generating' | 'classifying';

export interface PlaygroundLoaded extends PlaygroundModel {
  name: string;
  backend: BackendName;
}

export interface PlaygroundState {
  /** "run:<id>" or "model:<id>"; null before a choice. */
  source: string | null;
  backend: BackendChoice;
  status: PlaygroundStatus;
  model: PlaygroundLoaded | null;
  error: string | null;
  settings: PlaygroundSettings;
  output: string;
  last: { tokens: number; ms: number; end: GenerationEnd } | null;
  classification: Classification | null;
}

export interface PlaygroundSlice {
  playground: PlaygroundState;
  choosePlaygroundSource(source: string | null): Promise<void>;
  setPlaygroundBackend(backend: BackendChoice): Promise<void>;
  setPlaygroundSettings(patch: Partial<PlaygroundSettings>): void;
  generateText(prompt: string): Promise<void>;
  stopGenerating(): void;
  classifyText(text: string): Promise<void>;
}

/** Stop sequences as the engine wants them: one per line, "\n" typed as an escape, blanks dropped. */
export function parseStopSequences(text: string): string[] {
  return text
    .split('\n')
    .map((s) => s.replace(/\\n/g, '\n').replace(/\\t/g, '\t'))
    .filter((s) => s.length > 0);
}

export function generationSettings(s: PlaygroundSettings, seed: number): GenerationSettings {
  return {
    temperature: s.temperature,
    topK: Math.round(s.topK),
    topP: s.topP,
    repetitionPenalty: s.repetitionPenalty,
    maxNewTokens: Math.max(1, Math.round(s.maxNewTokens)),
    stopSequences: parseStopSequences(s.stopSequences),
    chat: s.chat,
    seed,
  };
}

export const createPlaygroundSlice: SliceCreator<PlaygroundSlice> = (set, get, deps) => {
  let session: PlaygroundSession | null = null;
  let loadToken = 0;
  const patch = (p: Partial<PlaygroundState>) => set({ playground: { ...get().playground, ...p } });

  async function filesFor(source: string): Promise<{ name: string; files: ModelFiles }> {
    const [kind, id] = [source.slice(0, source.indexOf(':')), source.slice(source.indexOf(':') + 1)];
    if (kind === 'run') {
      const run = get().runs.find((r) => r.id === Number(id));
      const files = await loadRunFiles(deps.db(), Number(id));
      if (!run || !files) throw new Error('This run has no saved weights.');
      return { name: run.name, files: files.model };
    }
    const model = get().models.find((m) => m.id === id);
    if (!model) throw new Error('That model is no longer available.');
    return { name: model.name, files: await deps.fetchModelFiles(model) };
  }

  async function load(): Promise<void> {
    const token = ++loadToken;
    session?.dispose();
    session = null;
    const { source, backend } = get().playground;
    patch({ model: null, error: null, output: '', last: null, classification: null, status: source ? 'loading' : 'idle' });
    if (!source) return;
    if (!deps.models) return void patch({ status: 'idle', error: 'The playground is not available in this build of the studio.' });
    try {
      const { name, files } = await filesFor(source);
      if (token !== loadToken) return;
      const out = await deps.models.startPlayground(backend, files);
      if (token !== loadToken) {
        if (out.ok) out.value.dispose();
        return;
      }
      if (!out.ok) return void patch({ status: 'idle', error: out.error.message });
      session = out.value;
      const chat = session.model.hasChatTemplate && get().playground.settings.chat;
      patch({
        status: 'ready',
        model: { ...session.model, name, backend: session.capabilities.backend },
        settings: { ...get().playground.settings, chat },
      });
    } catch (e) {
      if (token === loadToken) patch({ status: 'idle', error: (e as Error).message ?? String(e) });
    }
  }

  return {
    playground: {
      source: null,
      backend: 'auto',
      status: 'idle',
      model: null,
      error: null,
      settings: DEFAULT_PLAYGROUND_SETTINGS,
      output: '',
      last: null,
      classification: null,
    },

    async choosePlaygroundSource(source) {
      patch({ source });
      await load();
    },

    async setPlaygroundBackend(backend) {
      patch({ backend });
      if (get().playground.source) await load();
    },

    setPlaygroundSettings(p) {
      patch({ settings: { ...get().playground.settings, ...p } });
    },

    async generateText(prompt) {
      const s = session;
      if (!s || get().playground.status !== 'ready') return;
      const seed = Math.floor(Math.random() * 2 ** 31);
      patch({ status: 'generating', output: '', last: null, error: null });
      const out = await s.generate(prompt, generationSettings(get().playground.settings, seed), (text) => {
        if (session === s && get().playground.status === 'generating') patch({ output: text });
      });
      if (session !== s) return;
      if (!out.ok) return void patch({ status: 'ready', error: out.error.message });
      const { text, tokens, ms, end } = out.value;
      patch({ status: 'ready', output: text, last: { tokens, ms, end } });
    },

    stopGenerating() {
      if (get().playground.status === 'generating') session?.stop();
    },

    async classifyText(text) {
      const s = session;
      if (!s || get().playground.status !== 'ready') return;
      patch({ status: 'classifying', error: null });
      const out = await s.classify(text);
      if (session !== s) return;
      patch(out.ok ? { status: 'ready', classification: out.value } : { status: 'ready', error: out.error.message });
    },
  };
};
