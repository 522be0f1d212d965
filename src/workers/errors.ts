/**
 * Errors that cross the worker boundary as plain data: Comlink would otherwise keep
 * only `message`, and a person needs the file, row and field.
 */
import { DatasetError } from '../core/data/errors';

export interface TravellingError {
  code: string;
  message: string;
  file?: string;
  row?: number;
  unit?: string;
  field?: string;
}

export function toTravellingError(e: unknown): TravellingError {
  if (e instanceof DatasetError) {
    return { code: e.code, message: e.message, file: e.file, row: e.row, unit: e.unit, field: e.field };
  }
  if (e instanceof Error) return { code: e.name || 'error', message: e.message };
  return { code: 'error', message: String(e) };
}

export type Outcome<T> = { ok: true; value: T } | { ok: false; error: TravellingError };
