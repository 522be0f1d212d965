/** The selected dataset: first rows in a table, and the column mapping as selects. */
import { useId } from 'react';
import type { Schema } from '../core/data/detect';
import { columnFor, KIND_LABEL, ROLES, switchKind, withColumn, type SchemaKind } from '../state/mapping';
import { useStudio } from '../state/studio';

function cell(v: unknown): string {
  if (v === undefined || v === null) return '';
  return typeof v === 'string' ? v : JSON.stringify(v);
}

function Select({ label, value, options, onChange }: { label: string; value: string; options: [string, string][]; onChange: (v: string) => void }) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value} onChange={(e) => onChange(e.target.value)}>
        {options.map(([v, text]) => (
          <option key={v} value={v}>
            {text}
          </option>
        ))}
      </select>
    </div>
  );
}

function ColumnMapping({ schema, columns, onChange }: { schema: Schema; columns: string[]; onChange: (s: Schema) => void }) {
  const kinds = Object.entries(KIND_LABEL) as [SchemaKind, string][];
  return (
    <div className="mapping">
      <Select label="Data format" value={schema.kind} options={kinds} onChange={(k) => onChange(switchKind(schema, k as SchemaKind, columns))} />
      {ROLES[schema.kind].map((role) => (
        <Select
          key={role.field}
          label={role.label}
          value={columnFor(schema, role.field) ?? ''}
          options={[...(role.optional ? ([['', '(none)']] as [string, string][]) : []), ...columns.map((c): [string, string] => [c, c])]}
          onChange={(c) => onChange(withColumn(schema, role.field, c))}
        />
      ))}
    </div>
  );
}

export function DatasetPreview() {
  const dataset = useStudio((s) => s.datasets.find((d) => d.id === s.selectedDatasetId));
  const preview = useStudio((s) => s.preview);
  const setSchema = useStudio((s) => s.setSchema);
  const schemaError = useStudio((s) => s.schemaError);
  const titleId = useId();
  if (!dataset) return null;
  const mapped = new Set(ROLES[dataset.schema.kind].map((r) => columnFor(dataset.schema, r.field)).filter(Boolean));
  return (
    <section className="card" aria-labelledby={titleId}>
      <h2 id={titleId}>{dataset.name}</h2>
      <p className="muted small">
        {dataset.fileName} · {dataset.rowCount.toLocaleString()} rows · {dataset.columns.length} column{dataset.columns.length === 1 ? '' : 's'}
      </p>
      {dataset.issues && (
        <div className="alert warn" role="note" aria-label="Rows with empty values">
          {dataset.issues.rows.toLocaleString()} row{dataset.issues.rows === 1 ? ' has' : 's have'} an empty value (first: {dataset.issues.first.message}). Drop them in the data studio
          (Clean → Drop empty rows) before training.
        </div>
      )}
      <h3>Column mapping</h3>
      <ColumnMapping schema={dataset.schema} columns={dataset.columns} onChange={(s) => void setSchema(s)} />
      {schemaError && (
        <div className="alert error" role="alert">
          {schemaError}
        </div>
      )}
      <h3>Preview</h3>
      <div className="table-wrap" tabIndex={0} role="region" aria-label="Dataset preview, scrollable">
        <table className={`preview${dataset.columns.length <= 3 ? ' fit' : ''}`} aria-label="Dataset preview">
          <thead>
            <tr>
              {dataset.columns.map((c) => (
                <th key={c} scope="col" className={mapped.has(c) ? 'mapped' : undefined}>
                  {c}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {preview.map((row, i) => (
              <tr key={i}>
                {dataset.columns.map((c) => (
                  <td key={c} title={cell(row[c])}>
                    {cell(row[c])}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {dataset.rowCount > preview.length && <p className="muted small">Showing the first {preview.length} of {dataset.rowCount.toLocaleString()} rows.</p>}
    </section>
  );
}
