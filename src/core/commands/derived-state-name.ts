import { createHash } from 'node:crypto';

/**
 * The state name Atlantas keeps an unregistered project's state under, derived from the exact
 * (repository, dir, atlantis.yaml project name). The first form, `<owner>.<repo>.<dir>[.<project>]`
 * with every other character turned into `-`, was not injective: `acme/infra.prod` + `vpc` and
 * `acme/infra` + `prod.vpc` both gave `acme.infra.prod.vpc`, as did dirs `prod/vpc` and
 * `prod-vpc`, so two projects planned and applied against one state. The name now keeps that
 * readable form (cut to fit) and ends in `.<12 hex>`: the start of SHA-256 over the exact triple,
 * so different triples get different names (48 bits: a collision inside one tenant is not a
 * practical event), and the name still matches the state-name rule of state-ref.ts
 * (`^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$`).
 *
 * States written under the first form are renamed by migration 2026-12-01T010 (which also keeps
 * a frozen copy of it): an alias read at run time would send both colliding projects to the one
 * old state, which is the bug itself.
 */

const HASH_LENGTH = 12;
const MAX_NAME = 200;
/** what is left for the readable part: the name ends in `.` + hash */
const READABLE_MAX = MAX_NAME - 1 - HASH_LENGTH;

export function derivedStateName(repoFullName: string, dir: string, projectName: string): string {
  const hash = createHash('sha256').update(JSON.stringify([repoFullName, dir, projectName])).digest('hex').slice(0, HASH_LENGTH);
  const readable = trimEnd(readableName(repoFullName, dir, projectName).slice(0, READABLE_MAX));
  return `${readable || 'state'}.${hash}`;
}

/** `<owner>.<repo>.<dir or root>[.<project>]`, each part slugged; the first derived form, up to its 200-character cut. */
function readableName(repoFullName: string, dir: string, projectName: string): string {
  const parts = [slug(repoFullName.replace('/', '.')), dir === '.' ? 'root' : slug(dir)];
  if (projectName) parts.push(slug(projectName));
  let name = parts.join('.');
  // The rule wants a letter or digit first.
  let start = 0;
  while (start < name.length && !isAlnum(name[start])) start++;
  name = name.slice(start);
  return name;
}

/** Runs of characters outside [A-Za-z0-9._-] become one `-`; leading and trailing `-` go. One pass, no backtracking. */
function slug(text: string): string {
  let out = '';
  let pendingDash = false;
  for (const ch of text) {
    if (isAlnum(ch) || ch === '.' || ch === '_' || ch === '-') {
      if (pendingDash) out += '-';
      pendingDash = false;
      out += ch;
    } else {
      pendingDash = true;
    }
  }
  if (pendingDash) out += '-';
  let start = 0;
  while (start < out.length && out[start] === '-') start++;
  let end = out.length;
  while (end > start && out[end - 1] === '-') end--;
  return out.slice(start, end);
}

function trimEnd(text: string): string {
  let end = text.length;
  while (end > 0 && (text[end - 1] === '.' || text[end - 1] === '-')) end--;
  return text.slice(0, end);
}

function isAlnum(ch: string): boolean {
  return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9');
}
