/** Hub repo ids as people type them: `owner/name`, `owner/name@revision` or a huggingface.co URL. */
import { HubError } from './hubErrors';

// ---- repo ids ---------------------------------------------------------------

const HUB_HOSTS = new Set(['huggingface.co', 'www.huggingface.co', 'hf.co']);
/** The Hub's rule for user, org and repo names: word characters, '-' and '.', no '--' or '..', not starting or ending with '-' or '.'. */
const NAME = /^(?![-.])(?!.*--)(?!.*\.\.)[\w.-]{1,96}(?<![-.])$/;
export const REVISION = /^(?!.*\.\.)[\w.\-/]{1,200}$/;

export function badRepo(input: string, why: string): HubError {
  const shown = input.length > 80 ? `${input.slice(0, 80)}…` : input;
  return new HubError('bad-repo', `"${shown}" is not a model id: ${why}. Enter "org/name" (e.g. openai-community/gpt2), optionally with "@revision", or a huggingface.co link.`);
}

function splitRepo(input: string, parts: string[]): string {
  if (parts.length === 0 || parts.length > 2) throw badRepo(input, `expected one or two names separated by "/", found ${parts.length}`);
  const bad = parts.find((p) => !NAME.test(p));
  if (bad !== undefined) throw badRepo(input, `"${bad}" is not a valid name (letters, digits, "-", "_" and "." only)`);
  return parts.join('/');
}

/** Repo and explicit revision (null when the id names none). */
export function parseRepoParts(raw: string): { repo: string; revision: string | null } {
  const input = String(raw ?? '').trim();
  if (!input) throw badRepo(input, 'it is empty');
  let text = input;
  if (/^(hf\.co|(www\.)?huggingface\.co)\//i.test(text)) text = `https://${text}`;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      throw badRepo(input, 'the link cannot be read');
    }
    if (!HUB_HOSTS.has(url.hostname.toLowerCase())) {
      throw badRepo(input, `links must point to huggingface.co, not ${url.hostname} (for a mirror, set the Hub address and enter org/name)`);
    }
    const segs = url.pathname.split('/').filter(Boolean).map((s) => decodeURIComponent(s));
    if (segs[0] === 'datasets' || segs[0] === 'spaces') throw badRepo(input, `that is a ${segs[0].slice(0, -1)}, not a model`);
    // /org/name[/(tree|blob|resolve)/<rev>[/file...]]; a bare /name is a legacy root model.
    const marker = segs.findIndex((s) => s === 'tree' || s === 'blob' || s === 'resolve' || s === 'commit');
    const repoSegs = marker === -1 ? segs : segs.slice(0, marker);
    const revision = marker === -1 ? null : (segs[marker + 1] ?? null);
    const repo = splitRepo(input, repoSegs);
    if (revision !== null && !REVISION.test(revision)) throw badRepo(input, `"${revision}" is not a valid revision`);
    return { repo, revision };
  }
  if (/\s/.test(text)) throw badRepo(input, 'it contains spaces');
  const at = text.indexOf('@');
  const revision = at === -1 ? null : text.slice(at + 1);
  const name = at === -1 ? text : text.slice(0, at);
  if (revision !== null && !REVISION.test(revision)) throw badRepo(input, `"${revision}" after "@" is not a valid revision`);
  return { repo: splitRepo(input, name.split('/')), revision };
}

/** Accepts "org/name", "name", "org/name@rev" and huggingface.co links (…/tree/<rev> too); junk is a bad-repo HubError. */
export function parseRepoId(input: string): { repo: string; revision: string } {
  const { repo, revision } = parseRepoParts(input);
  return { repo, revision: revision ?? 'main' };
}
