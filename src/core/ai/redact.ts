/**
 * What may leave the server for the language model: data the caller built from evidence, with
 * anything that looks like a credential replaced, keys that name secrets emptied, and the whole
 * capped in size. Evidence never carries state values to begin with (addresses, actions and
 * attribute names only); this is the second line, for free text such as titles and descriptions.
 */
const SECRET_PATTERNS: RegExp[] = [
  /\b(?:atl|atr|ats)_[A-Za-z0-9_-]{8,}/g, // Atlantas API, runner and session tokens
  /\bxox[abposr]-[A-Za-z0-9-]{8,}/g, // Slack tokens
  /\bxapp-[A-Za-z0-9-]{8,}/g,
  /\b(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{16,}/g, // GitHub tokens
  /\bgithub_pat_[A-Za-z0-9_]{16,}/g,
  /\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/g, // AWS access key ids
  /\bsk-[A-Za-z0-9_-]{16,}/g, // API keys of model providers
  /\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g, // JWTs
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g,
  /\b[a-z][a-z0-9+.-]*:\/\/[^\s/:@]+:[^\s/@]+@/gi, // credentials in URLs
  /\b(password|passwd|secret|token|api[_-]?key|client[_-]?secret)\s*[:=]\s*\S+/gi,
];

const SECRET_KEY = /(password|passwd|secret|token|api[_-]?key|private[_-]?key|credential|authorization|cookie)/i;

export function redactText(text: string): string {
  let out = text;
  for (const pattern of SECRET_PATTERNS) out = out.replace(pattern, (m, name?: string) => (typeof name === 'string' && /[:=]/.test(m) ? `${name}=[redacted]` : '[redacted]'));
  return out;
}

/** A deep copy with credential-like strings replaced and secret-named keys' values dropped. */
export function redactValue(value: unknown): unknown {
  if (typeof value === 'string') return redactText(value);
  if (Array.isArray(value)) return value.map(redactValue);
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, SECRET_KEY.test(k) && typeof v !== 'boolean' && typeof v !== 'number' ? '[redacted]' : redactValue(v)]));
  }
  return value;
}

/**
 * JSON of the redacted data, at most `maxChars`: arrays are cut from the end (the callers sort
 * their evidence best first) until it fits, and `truncated` says how many items were left out.
 */
export function cappedJson(data: Record<string, unknown>, maxChars: number): { json: string; truncated: number } {
  const redacted = redactValue(data) as Record<string, unknown>;
  let json = JSON.stringify(redacted);
  let truncated = 0;
  while (json.length > maxChars) {
    const longest = Object.entries(redacted).filter(([, v]) => Array.isArray(v) && v.length).sort((a, b) => (b[1] as unknown[]).length - (a[1] as unknown[]).length)[0];
    if (!longest) return { json: json.slice(0, maxChars), truncated: truncated + 1 };
    (longest[1] as unknown[]).pop();
    truncated++;
    redacted.omitted_items = truncated;
    json = JSON.stringify(redacted);
  }
  return { json, truncated };
}
