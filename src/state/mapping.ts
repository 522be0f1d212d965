/** Column mapping as the preview's selects edit it: which roles a format has, and switching formats. */
import type { Schema } from '../core/data/detect';

export type SchemaKind = Schema['kind'];

export const KIND_LABEL: Record<SchemaKind, string> = {
  text: 'Plain text',
  labeled: 'Text + label',
  prompt: 'Prompt + completion',
  chat: 'Chat messages',
  alpaca: 'Instruction (Alpaca)',
};

export interface Role {
  /** The schema field that names the column. */
  field: string;
  /** Accessible name of the select. */
  label: string;
  optional?: boolean;
}

export const ROLES: Record<SchemaKind, Role[]> = {
  text: [{ field: 'textColumn', label: 'Text column' }],
  labeled: [
    { field: 'textColumn', label: 'Text column' },
    { field: 'labelColumn', label: 'Label column' },
  ],
  prompt: [
    { field: 'promptColumn', label: 'Prompt column' },
    { field: 'completionColumn', label: 'Completion column' },
  ],
  chat: [{ field: 'messagesColumn', label: 'Messages column' }],
  alpaca: [
    { field: 'instructionColumn', label: 'Instruction column' },
    { field: 'inputColumn', label: 'Input column', optional: true },
    { field: 'outputColumn', label: 'Output column' },
  ],
};

export function columnFor(schema: Schema, field: string): string | undefined {
  return (schema as unknown as Record<string, string | undefined>)[field];
}

/** A schema of another kind, keeping the columns already chosen where a role carries over. */
export function switchKind(current: Schema, kind: SchemaKind, columns: string[]): Schema {
  if (current.kind === kind) return current;
  const taken = new Set<string>();
  const pick = (preferred: (string | undefined)[]): string => {
    const hit = preferred.find((c): c is string => c !== undefined && columns.includes(c) && !taken.has(c)) ?? columns.find((c) => !taken.has(c)) ?? columns[0];
    taken.add(hit);
    return hit;
  };
  const old = current as unknown as Record<string, string | undefined>;
  const text = old.textColumn ?? old.promptColumn ?? old.instructionColumn ?? old.messagesColumn;
  const second = old.labelColumn ?? old.completionColumn ?? old.outputColumn;
  switch (kind) {
    case 'text':
      return { kind, textColumn: pick([text]) };
    case 'labeled':
      return { kind, textColumn: pick([text]), labelColumn: pick([second]) };
    case 'prompt':
      return { kind, promptColumn: pick([text]), completionColumn: pick([second]) };
    case 'chat':
      return { kind, messagesColumn: pick([old.messagesColumn, text]) };
    case 'alpaca':
      return { kind, instructionColumn: pick([text]), outputColumn: pick([second]) };
  }
}

/** Sets one role's column; '' clears an optional role. */
export function withColumn(schema: Schema, field: string, column: string): Schema {
  const next = { ...schema } as unknown as Record<string, string | undefined>;
  if (column === '') delete next[field];
  else next[field] = column;
  return next as unknown as Schema;
}
