/** The edits the held-out robustness check makes to each input (heldout.ts makes them; the page names them). */

export type Perturbation = 'typos' | 'casing' | 'punctuation' | 'deletion' | 'synonyms';

export const PERTURBATIONS: readonly { id: Perturbation; label: string; description: string }[] = [
  { id: 'typos', label: 'Typos', description: 'a keyboard typo in 1 of every 20 words' },
  { id: 'casing', label: 'Casing', description: 'all lower case, all upper case or sentence case' },
  { id: 'punctuation', label: 'Punctuation', description: 'punctuation removed or the sentence end changed' },
  { id: 'deletion', label: 'Dropped words', description: '1 of every 10 words deleted' },
  { id: 'synonyms', label: 'Synonyms', description: '1 of every 10 words replaced by a WordNet synonym' },
];
