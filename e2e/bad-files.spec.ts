/** Bad files: each shows a message naming the file, the row and the problem, and stores nothing. */
import { expect, test } from '@playwright/test';
import { countStored, openStudio } from './helpers';

const text = (s: string) => Buffer.from(s, 'utf8');

const BAD_FILES: { name: string; bytes: Buffer; expect: RegExp[] }[] = [
  { name: 'unclosed.csv', bytes: text('text,label\ngood movie,pos\n"never closed,neg\nbad movie,neg\n'), expect: [/unclosed\.csv, row 3/, /unclosed quote/] },
  { name: 'latin1.csv', bytes: Buffer.concat([text('text,label\ncaf'), Buffer.from([0xe9]), text(',pos\n')]), expect: [/latin1\.csv, line 2/, /not valid UTF-8/] },
  { name: 'image.jsonl', bytes: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52]), expect: [/image\.jsonl/, /binary file/] },
  { name: 'empty.csv', bytes: Buffer.alloc(0), expect: [/empty\.csv/, /no rows/] },
  { name: 'short-row.csv', bytes: text('text,label\ngood movie,pos\nbad movie\n'), expect: [/short-row\.csv, row 3/, /"label" is missing/] },
  { name: 'no-labels.csv', bytes: text('text,label\ngood movie,\nbad movie,\n'), expect: [/no-labels\.csv, row 2/, /"label" is empty/] },
  { name: 'broken.jsonl', bytes: text('{"text": "a", "label": "x"}\n{"text": "b", "label": \n'), expect: [/broken\.jsonl, line 2/, /not valid JSON/] },
];

test('bad files show where the problem is and store nothing', async ({ page }) => {
  await openStudio(page);
  const upload = page.getByLabel('Upload dataset');
  for (const file of BAD_FILES) {
    await upload.setInputFiles({ name: file.name, mimeType: 'text/plain', buffer: file.bytes });
    const alert = page.getByRole('alert').filter({ hasText: `Could not import ${file.name}` });
    for (const re of file.expect) await expect(alert).toContainText(re);
    await expect(alert).toContainText('Nothing was stored.');
    await expect(page.getByText('No datasets yet.')).toBeVisible();
    expect(await countStored(page)).toMatchObject({ datasets: 0, rows: 0 });
  }
  await page.screenshot({ path: 'test-results/bad-file.png', fullPage: true });
  await page.reload();
  await expect(page.getByText('No datasets yet.')).toBeVisible();
  expect(await countStored(page)).toMatchObject({ datasets: 0, rows: 0 });
});

test('a file with a few empty values is imported, and the preview names the first', async ({ page }) => {
  await openStudio(page);
  await page.getByLabel('Upload dataset').setInputFiles({ name: 'no-label.csv', mimeType: 'text/csv', buffer: text('text,label\ngood movie,pos\nbad movie,neg\nfine movie,\nok movie,pos\n') });
  await expect(page.getByRole('list', { name: 'Datasets' }).getByRole('listitem', { name: 'no-label' })).toContainText('4 rows');
  await expect(page.getByRole('note', { name: 'Rows with empty values' })).toContainText('1 row has an empty value (first: no-label.csv, row 4: "label" is empty)');
});
