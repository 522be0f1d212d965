/**
 * E-mail (RFC 822) messages -> the text a person would read. Used by the spam sample
 * (scripts/make-samples.ts) and by the pretraining corpus (scripts/lib/corpus.ts), so
 * both see e-mail cleaned the same way.
 */
/** Headers and body of an RFC 822 message (headers unfolded, names lower-cased). */
function splitMessage(raw: string): { headers: Map<string, string>; body: string } {
  const text = raw.replace(/\r\n?/g, '\n');
  const cut = text.indexOf('\n\n');
  const head = cut < 0 ? text : text.slice(0, cut);
  const body = cut < 0 ? '' : text.slice(cut + 2);
  const headers = new Map<string, string>();
  for (const line of head.replace(/\n[ \t]+/g, ' ').split('\n')) {
    const m = /^([!-9;-~]+):\s*(.*)$/.exec(line);
    if (m && !headers.has(m[1].toLowerCase())) headers.set(m[1].toLowerCase(), m[2]);
  }
  return { headers, body };
}

function decodeQuotedPrintable(s: string): string {
  const bytes: number[] = [];
  const soft = s.replace(/=\n/g, '');
  for (let i = 0; i < soft.length; i++) {
    const hex = soft.slice(i + 1, i + 3);
    if (soft[i] === '=' && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else bytes.push(soft.charCodeAt(i) & 0xff);
  }
  return new TextDecoder('latin1').decode(new Uint8Array(bytes));
}

/** The readable text of a (possibly multipart, encoded, HTML) body: text/plain preferred, else HTML stripped. */
function readableBody(headers: Map<string, string>, body: string, depth = 0): string {
  const type = (headers.get('content-type') ?? 'text/plain').toLowerCase();
  const encoding = (headers.get('content-transfer-encoding') ?? '').toLowerCase().trim();
  const boundary = /boundary="?([^";]+)"?/i.exec(headers.get('content-type') ?? '')?.[1];
  if (type.startsWith('multipart/') && boundary && depth < 3) {
    const parts = body
      .split(`--${boundary}`)
      .slice(1)
      .filter((p) => !p.startsWith('--'))
      .map((p) => splitMessage(p.replace(/^\n/, '')));
    const plain = parts.find((p) => (p.headers.get('content-type') ?? 'text/plain').toLowerCase().startsWith('text/plain'));
    const chosen = plain ?? parts.find((p) => (p.headers.get('content-type') ?? '').toLowerCase().startsWith('text/html')) ?? parts[0];
    return chosen ? readableBody(chosen.headers, chosen.body, depth + 1) : '';
  }
  if (!type.startsWith('text/')) return '';
  let text = body;
  if (encoding === 'quoted-printable') text = decodeQuotedPrintable(text);
  else if (encoding === 'base64') text = Buffer.from(text.replace(/\s+/g, ''), 'base64').toString('latin1');
  if (type.startsWith('text/html') || /<(html|body|p|br|div|font|table)\b/i.test(text)) text = stripHtml(text);
  return text;
}

function stripHtml(html: string): string {
  const entities: Record<string, string> = { nbsp: ' ', amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
  return html
    .replace(/<(style|script|head)\b[\s\S]*?<\/\1>/gi, ' ')
    .replace(/<!--[\s\S]*?-->/g, ' ')
    .replace(/<(br|p|div|tr|li)\b[^>]*>/gi, '\n')
    .replace(/<[^>]*>/g, ' ')
    .replace(/&(#\d+|[a-z]+);/gi, (m, e: string) =>
      e.startsWith('#') ? String.fromCharCode(Number(e.slice(1)) % 65536) : (entities[e.toLowerCase()] ?? m),
    );
}

/**
 * One message -> the text a person would read: subject line, then the body without
 * quoted replies, signatures and mailing-list footers; whitespace collapsed; cut at a
 * word boundary near `maxChars`. Null when nothing readable is left.
 */
export function cleanEmail(raw: string, maxChars = 500): string | null {
  const { headers, body } = splitMessage(raw);
  const subject = (headers.get('subject') ?? '').replace(/\s+/g, ' ').trim();
  const lines: string[] = [];
  for (const line of readableBody(headers, body).split('\n')) {
    if (/^(-- ?|_{10,}|-{10,}|={10,})$/.test(line.trim())) break; // signature or list footer starts here
    if (/^\s*>/.test(line) || /^On .* wrote:\s*$/.test(line)) continue; // quoted reply
    lines.push(line);
  }
  let text = `${subject}${subject ? '\n' : ''}${lines.join('\n')}`
    .replace(/https?:\/\/\S+/g, (u) => (u.length > 60 ? `${u.slice(0, 57)}...` : u))
    .replace(/[\t ]+/g, ' ')
    .replace(/\s*\n\s*/g, '\n')
    .replace(/\n{2,}/g, '\n')
    .trim();
  // Binary junk, mojibake or almost nothing left: not a useful example.
  const printable = text.replace(/[^\x20-\x7e\n]/g, '').length;
  if (text.length < 40 || printable / text.length < 0.97 || text.includes('\uFFFD')) return null;
  if (text.length > maxChars) {
    const cut = text.lastIndexOf(' ', maxChars);
    text = `${text.slice(0, cut > maxChars * 0.8 ? cut : maxChars).trim()} ...`;
  }
  return text.replace(/\n/g, ' ');
}
