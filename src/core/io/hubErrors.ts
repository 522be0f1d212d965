/** The one error type of Hub downloads: a code the UI can act on, and what it concerns. */
export type HubErrorCode = 'not-found' | 'gated' | 'network' | 'aborted' | 'too-large-declined' | 'bad-repo' | 'http';

export class HubError extends Error {
  readonly code: HubErrorCode;
  readonly repo?: string;
  readonly file?: string;
  readonly status?: number;

  constructor(code: HubErrorCode, message: string, extra: { repo?: string; file?: string; status?: number; cause?: unknown } = {}) {
    super(message, extra.cause === undefined ? undefined : { cause: extra.cause });
    this.name = 'HubError';
    this.code = code;
    this.repo = extra.repo;
    this.file = extra.file;
    this.status = extra.status;
  }
}
