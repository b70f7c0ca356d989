/**
 * The version constraints a terraform file declares (`required_version`, and each provider's
 * `source` and `version` in `required_providers`), and what a constraint becomes when the latest
 * release no longer satisfies it. Pure text work for the upgrade bot: edits keep the file's
 * formatting and touch only the quoted constraint.
 */

export interface ConstraintSite {
  /** 'terraform' for required_version, else the provider's local name */
  name: string;
  /** registry source address (hashicorp/aws); terraform for required_version */
  source: string;
  constraint: string;
  /** offsets of the constraint text (inside the quotes) */
  start: number;
  end: number;
}

const STRING_ATTR = (attr: string) => new RegExp(`\\b${attr}\\s*=\\s*"([^"]*)"`, 'g');

export function constraintSites(text: string): ConstraintSite[] {
  const sites: ConstraintSite[] = [];
  for (const m of text.matchAll(STRING_ATTR('required_version'))) {
    const start = m.index! + m[0].length - 1 - m[1].length;
    sites.push({ name: 'terraform', source: 'terraform', constraint: m[1], start, end: start + m[1].length });
  }
  for (const block of blocks(text, 'required_providers')) {
    for (const entry of block.body.matchAll(/([A-Za-z][\w-]*)\s*=\s*\{([^{}]*)\}/g)) {
      const inner = entry[2];
      const innerOffset = block.offset + entry.index! + entry[0].indexOf('{') + 1;
      const source = /\bsource\s*=\s*"([^"]*)"/.exec(inner)?.[1] ?? `hashicorp/${entry[1]}`;
      const version = /\bversion\s*=\s*"([^"]*)"/.exec(inner);
      if (!version) continue;
      const start = innerOffset + version.index + version[0].length - 1 - version[1].length;
      sites.push({ name: entry[1], source, constraint: version[1], start, end: start + version[1].length });
    }
  }
  return sites;
}

/** The bodies of `name { … }` blocks, braces balanced. */
function blocks(text: string, name: string): { body: string; offset: number }[] {
  const out: { body: string; offset: number }[] = [];
  for (const m of text.matchAll(new RegExp(`\\b${name}\\s*\\{`, 'g'))) {
    const open = m.index! + m[0].length;
    let depth = 1;
    let i = open;
    for (; i < text.length && depth > 0; i++) {
      if (text[i] === '{') depth++;
      else if (text[i] === '}') depth--;
    }
    out.push({ body: text.slice(open, i - 1), offset: open });
  }
  return out;
}

/** Applies `replacements` (offsets into `text`, not overlapping). */
export function applyEdits(text: string, edits: { start: number; end: number; value: string }[]): string {
  let out = text;
  for (const e of [...edits].sort((a, b) => b.start - a.start)) out = out.slice(0, e.start) + e.value + out.slice(e.end);
  return out;
}

type Version = number[];

export function parseVersion(v: string): Version | null {
  const m = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?$/.exec(v.trim());
  return m ? [m[1], m[2], m[3]].filter((x) => x !== undefined).map(Number) : null;
}

function compare(a: Version, b: Version): number {
  for (let i = 0; i < 3; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d) return d;
  }
  return 0;
}

/** The highest release among `versions`, pre-releases (anything with a suffix) left out. */
export function latestRelease(versions: string[]): string | null {
  const parsed = versions.map((v) => ({ v, p: parseVersion(v) })).filter((x): x is { v: string; p: Version } => x.p !== null && x.p.length === 3);
  parsed.sort((a, b) => compare(b.p, a.p));
  return parsed[0]?.p.join('.') ?? null;
}

/**
 * What `constraint` should become so that `latest` is allowed, keeping its operator and
 * precision (`~> 4.0` → `~> 5.31`, `= 1.5.7` → `= 1.11.2`); null when `latest` already satisfies
 * it, or when the constraint is not one we rewrite (several clauses, upper bounds).
 */
export function bumpConstraint(constraint: string, latest: string): string | null {
  const m = /^\s*(~>|>=|>|=)?\s*v?(\d+(?:\.\d+){0,2})\s*$/.exec(constraint);
  const target = parseVersion(latest);
  if (!m || !target) return null;
  const op = m[1] ?? '';
  const base = parseVersion(m[2])!;
  const precise = (n: number) => target.slice(0, n).concat(Array(Math.max(0, n - target.length)).fill(0)).join('.');
  if (op === '>=' || op === '>') return null; // lower bounds allow every newer release
  if (compare(target, base) <= 0) return null; // never a downgrade
  if (op === '~>') {
    const upper = base.length === 1 ? [Infinity] : [...base.slice(0, base.length - 2), base[base.length - 2] + 1];
    if (compare(target, upper) < 0) return null;
    return `~> ${precise(Math.max(base.length, 2))}`;
  }
  return `${op ? `${op} ` : ''}${precise(3)}`;
}
