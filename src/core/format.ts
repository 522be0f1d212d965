/**
 * Byte counts as the studio writes them everywhere (panels, messages, the CLI): decimal units,
 * as the Hub, the OS and the browser's storage estimate use them, so every figure agrees.
 */
export function formatBytes(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(1).replace(/\.0$/, '')} GB`;
  if (n >= 1e6) return `${Math.round(n / 1e6)} MB`;
  if (n >= 1e3) return `${Math.round(n / 1e3)} KB`;
  return `${Math.round(n)} bytes`;
}
