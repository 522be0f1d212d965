/** The files a tokenizer is read from in a model folder (the second is optional), apart from tokenizer.ts so the page can name them without loading the tokenizer library. */
export const TOKENIZER_FILE = 'tokenizer.json';
export const TOKENIZER_CONFIG_FILE = 'tokenizer_config.json';
export const TOKENIZER_FILES = [TOKENIZER_FILE, TOKENIZER_CONFIG_FILE];
