/** The Hub address: its default and the check a typed one goes through. Pure, for the page and the worker. */
import { HubError } from '../core/io/hub';

export const DEFAULT_ENDPOINT = 'https://huggingface.co';

/** An http(s) address without trailing slashes (as hub.ts keys its cache); empty means the Hub itself. */
export function normaliseEndpoint(endpoint: string | undefined): string {
  const raw = (endpoint ?? '').trim() || DEFAULT_ENDPOINT;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new HubError('bad-repo', `"${raw}" is not a web address: the Hub address looks like ${DEFAULT_ENDPOINT}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new HubError('bad-repo', `"${raw}" is not an http(s) address: the Hub address looks like ${DEFAULT_ENDPOINT}`);
  return raw.replace(/\/+$/, '');
}
