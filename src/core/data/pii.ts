/**
 * Finding and redacting personal data in free text: e-mail addresses, phone numbers, URLs and IP
 * addresses become placeholders ([EMAIL], [PHONE], [URL], [IP]) so a model never learns them.
 *
 * Pattern matching, not understanding: the patterns lean towards catching an address (a version
 * number like 1.2.3.4 is redacted as an IP) and stay away from plain numbers, dates and times.
 */

export type PiiKind = 'email' | 'phone' | 'url' | 'ipv4' | 'ipv6';

export const PII_KINDS: readonly PiiKind[] = ['url', 'email', 'ipv6', 'ipv4', 'phone'];

export const PII_PLACEHOLDERS: Record<PiiKind, string> = {
  email: '[EMAIL]',
  phone: '[PHONE]',
  url: '[URL]',
  ipv4: '[IP]',
  ipv6: '[IP]',
};

export type PiiCounts = Record<PiiKind, number>;

export const emptyPiiCounts = (): PiiCounts => ({ email: 0, phone: 0, url: 0, ipv4: 0, ipv6: 0 });

// RFC 5322 "atext" for the local part (what real addresses and fast-check's generator use), then
// dot-separated domain labels ending in a label that starts with a letter.
const ATEXT = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]";
const LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?';
const EMAIL = new RegExp(`${ATEXT}+(?:\\.${ATEXT}+)*@(?:${LABEL}\\.)+[A-Za-z](?:[A-Za-z0-9-]*[A-Za-z0-9])?`, 'g');

// A scheme or www., then anything up to whitespace or a quote/bracket; a final sentence mark is not part of it.
const URL = /\b(?:(?:https?|ftp|file):\/\/|www\.)[^\s<>"'`\]\[{}|\\^]*[^\s<>"'`\]\[{}|\\^.,;:!?)]/gi;

const OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const IPV4 = new RegExp(`(?<![\\w.])${OCTET}(?:\\.${OCTET}){3}(?!\\.?\\d|\\w)`, 'g');

// Candidates only; isIpv6 decides (one "::" at most, eight groups without it, an optional IPv4 tail).
const IPV6_CANDIDATE = /(?<![\w:.])(?:[0-9A-Fa-f]{0,4}:){2,7}(?:[0-9A-Fa-f]{1,4}|(?:\d{1,3}\.){3}\d{1,3})?(?![\w:])/g;

// Optional +country code, optional (area), then 2-4 digit groups joined by space, dot or dash.
const PHONE = /(?<![\w+.-])(?:\+\d{1,3}[\s.-]?)?(?:\(\d{1,4}\)[\s.-]?)?\d{2,4}(?:[\s.-]\d{2,5}){1,4}(?![\w]|[.-]\d)|(?<![\w+])\+\d{8,15}(?!\w)/g;

function isIpv6(s: string): boolean {
  let body = s;
  let groupsFromV4 = 0;
  const v4 = /:((?:\d{1,3}\.){3}\d{1,3})$/.exec(s);
  if (v4) {
    if (!v4[1].split('.').every((o) => Number(o) <= 255)) return false;
    body = s.slice(0, v4.index + 1) + '0'; // stands for the two groups the IPv4 tail fills
    groupsFromV4 = 1;
  }
  const halves = body.split('::');
  if (halves.length > 2) return false;
  const groups = halves.flatMap((h) => (h === '' ? [] : h.split(':')));
  if (groups.some((g) => !/^[0-9A-Fa-f]{1,4}$/.test(g))) return false;
  const count = groups.length + groupsFromV4;
  // Compressed forms need some substance, or C++ scopes like "a::b" would count.
  if (halves.length === 2) return count <= 7 && (s.startsWith('::') ? count >= 1 : count >= 2 && groups.join('').length >= 5);
  return count === 8;
}

/** A phone number has 7 to 15 digits (E.164) and is not an ISO date. */
function isPhone(s: string): boolean {
  const digits = s.replace(/\D/g, '').length;
  if (digits < 7 || digits > 15) return false;
  if (/^\d{4}[-./]\d{1,2}[-./]\d{1,2}$/.test(s)) return false;
  // Without + or ( ), demand enough digits that sums of money and counts rarely qualify.
  return /[+(]/.test(s) || digits >= 9;
}

const PATTERNS: Record<PiiKind, { re: RegExp; quick: (s: string) => boolean; ok?: (m: string) => boolean }> = {
  url: { re: URL, quick: (s) => s.includes('://') || /www\./i.test(s) },
  email: { re: EMAIL, quick: (s) => s.includes('@') },
  ipv6: { re: IPV6_CANDIDATE, quick: (s) => s.includes(':'), ok: isIpv6 },
  ipv4: { re: IPV4, quick: (s) => s.includes('.'), ok: (m) => m.split('.').every((o) => o === '0' || !o.startsWith('0')) },
  phone: { re: PHONE, quick: (s) => /\d\d/.test(s), ok: isPhone },
};

export interface RedactResult {
  text: string;
  /** How many of each kind were replaced. */
  counts: PiiCounts;
  total: number;
}

/**
 * Replaces the chosen kinds of personal data with placeholders. URLs go first (a URL may hold an
 * address or an IP), phone numbers last (an IP or a date could otherwise pass for one).
 */
export function redactPii(text: string, kinds: readonly PiiKind[] = PII_KINDS): RedactResult {
  const counts = emptyPiiCounts();
  let total = 0;
  let s = text;
  for (const kind of PII_KINDS) {
    if (!kinds.includes(kind)) continue;
    const p = PATTERNS[kind];
    if (!p.quick(s)) continue;
    s = s.replace(p.re, (m) => {
      if (p.ok && !p.ok(m)) return m;
      counts[kind]++;
      total++;
      return PII_PLACEHOLDERS[kind];
    });
  }
  return { text: s, counts, total };
}

/** The kinds of personal data present in a text (for row flags in the explorer). */
export function findPii(text: string, kinds: readonly PiiKind[] = PII_KINDS): PiiKind[] {
  const { counts } = redactPii(text, kinds);
  return PII_KINDS.filter((k) => counts[k] > 0);
}
