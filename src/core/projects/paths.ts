import path from 'node:path/posix';

/**
 * Workspace names as Atlantis validates them (server/core/config/valid/workspace.go). Shell
 * metacharacters are allowed: terraform runs from an argv, never a shell string.
 * Returns the reason it is invalid, or null.
 */
export function workspaceProblem(ws: string): string | null {
  if (ws.includes('/') || ws.includes('\\')) return "cannot contain '/' or '\\'";
  if (ws.includes('..')) return "cannot contain '..'";
  if (ws === '.') return "cannot be '.'";
  if (ws.startsWith('-')) return "cannot start with '-'";
  if (ws.startsWith('~')) return "cannot start with '~'";
  if (ws.includes('$')) return "cannot contain '$'";
  // eslint-disable-next-line no-control-regex
  if (/[\s\x00-\x1f\x7f]/.test(ws)) return 'cannot contain whitespace or control characters';
  if (ws === '') return 'cannot be empty';
  return null;
}

/**
 * A directory relative to the repository root, cleaned like Go's filepath.Clean and made
 * relative ("/" → ".", "/a" → "a", "./" → "."). Returns null when it escapes the repository.
 */
export function cleanRepoRelDir(dir: string): string | null {
  if (dir.includes('\0')) return null;
  let cleaned = path.normalize(dir.replace(/\\/g, '/'));
  cleaned = cleaned.replace(/^\/+/, '');
  cleaned = cleaned.replace(/\/+$/, '');
  if (cleaned === '' || cleaned === '.') return '.';
  cleaned = path.normalize(cleaned);
  if (cleaned === '..' || cleaned.startsWith('../')) return null;
  return cleaned.replace(/\/+$/, '') || '.';
}
