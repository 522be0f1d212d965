/** Parameter counts and family names as the model panels show them (byte sizes: core/format.ts). */

/** "124M", "1.1B", "41.3K": a parameter count at a glance. */
export function formatCount(n: number): string {
  const fmt = (v: number, unit: string) => `${v >= 100 ? Math.round(v) : Number(v.toPrecision(3))}${unit}`;
  if (n >= 1e9) return fmt(n / 1e9, 'B');
  if (n >= 1e6) return fmt(n / 1e6, 'M');
  if (n >= 1e3) return fmt(n / 1e3, 'K');
  return String(n);
}

export const FAMILY_LABEL: Record<string, string> = { gpt2: 'GPT-2', llama: 'LLaMA', bert: 'BERT' };

export function familyLabel(family: string): string {
  return FAMILY_LABEL[family] ?? family;
}
