/**
 * A messy labelled dataset for data-studio tests (unit and browser): distinct reviews plus exact
 * duplicates, a near duplicate, rows with an empty text or label, personal data, and one text with
 * two labels. `MESSY_EXPECTED` says what the default cleaning recipe does to it.
 */
import { csv } from '../core/data/test-builders';

const REVIEWS: [string, string][] = [
  ['The battery easily lasts two full days of heavy use', 'positive'],
  ['Screen cracked the first time it slipped off the table', 'negative'],
  ['Setup took five minutes and everything just worked', 'positive'],
  ['The fan whines constantly and it drives me mad', 'negative'],
  ['Lovely warm sound from such a small speaker', 'positive'],
  ['Arrived late, box crushed, one cable missing', 'negative'],
  ['My kids adore this board game and ask for it nightly', 'positive'],
  ['Customer service hung up on me twice in one morning', 'negative'],
  ['Comfortable shoes that needed no breaking in at all', 'positive'],
  ['The zipper broke within a week of gentle travel', 'negative'],
  ['Crisp photos even in the dim light of our kitchen', 'positive'],
  ['Software updates keep deleting my saved settings', 'negative'],
  ['This kettle boils water quickly and quietly', 'positive'],
  ['Paint peeled off the chair after the first rain', 'negative'],
  ['Great value for a sturdy cast iron pan', 'positive'],
  ['The lid never closes properly so coffee spills', 'negative'],
  ['Quick delivery and the blanket is wonderfully soft', 'positive'],
  ['Headphones hurt my ears after only twenty minutes', 'negative'],
  ['The recipe book has clear steps and gorgeous pictures', 'positive'],
  ['Mouse buttons double click at random moments', 'negative'],
  ['Bright lamp with a dimmer that works smoothly', 'positive'],
  ['Strap snapped while I was hiking up the ridge', 'negative'],
  ['Tent went up in the dark without any trouble', 'positive'],
  ['The printer jams on every second sheet of paper', 'negative'],
  ['Beautiful stitching and the wallet feels premium', 'positive'],
  ['The vacuum loses suction after a few minutes', 'negative'],
  ['Plants arrived healthy and were packed with care', 'positive'],
  ['Charger gets scary hot while plugged in overnight', 'negative'],
  ['Delicious tea with a gentle smoky finish', 'positive'],
  ['Instructions were missing half of the assembly steps', 'negative'],
];

/** [text, label] rows of the messy file, in file order (file rows 2..). */
export function messyRows(): string[][] {
  const rows: string[][] = REVIEWS.map(([t, l]) => [t, l]);
  rows.push([...rows[0]]); // exact duplicate of file row 2
  rows.push([...rows[4]]); // exact duplicate of file row 6
  rows.push(['The printer jams on every second sheet of papers', 'negative']); // near duplicate of file row 25
  rows.push(['   ', 'positive']); // empty text
  rows.push(['Perfectly fine toaster, nothing more to say', '']); // empty label
  rows.push(['Write to jane.doe@example.com if the order is late', 'negative']);
  rows.push(['Call me on +44 20 7946 0958 about the refund', 'negative']);
  rows.push(['Full review with photos at https://example.com/review/42 worth a look', 'positive']);
  rows.push(['It is okay I guess', 'positive']); // conflict with the next row
  rows.push(['It is okay I guess', 'negative']);
  return rows;
}

export const messyCsv = (): string => csv(['text', 'label'], messyRows());

/** What the default cleaning recipe (UI_CLEAN_DEFAULT) reports for messyCsv(). */
export const MESSY_EXPECTED = {
  rowsIn: 40,
  removed: { empty: 2, exactDup: 2, nearDup: 1 },
  edited: { pii: 3 },
  conflictRows: 2,
  rowsOut: 35,
} as const;
