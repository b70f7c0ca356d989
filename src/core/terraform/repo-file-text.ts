/**
 * How messages about a repository file may speak of what is in it. A file's text is data, and
 * the file may not be what its author says (a link to the server's environment, a secret pasted
 * in the wrong field): messages name the file, the line, the path and what was expected, and
 * never quote a value. A key or a name is shown only when it looks like a plain identifier, so a
 * typo is still easy to find. YAML syntax errors are described by their kind, without yaml's
 * source snippet (several of yaml's messages quote the offending text: "Not a YAML token: …").
 */
import type { ErrorCode, YAMLError } from 'yaml';

const PLAIN_NAME = /^[A-Za-z0-9_.-]{1,64}$/;

/** True when `text` may appear in a message (a plain identifier of at most 64 characters). */
export function isNameable(text: string): boolean {
  return PLAIN_NAME.test(text);
}

/** `"key"` when nameable, else a placeholder. */
export function keyName(key: string): string {
  return isNameable(key) ? `"${key}"` : 'an unknown key';
}

/** A key as a path segment (`workflows.(key).plan` for a key that cannot be shown). */
export function pathSegment(key: string): string {
  return isNameable(key) ? key : '(key)';
}

/** Names for a list in a message: the nameable ones, and how many were left out. */
export function nameList(names: readonly string[]): string {
  const shown = names.filter(isNameable);
  const hidden = names.length - shown.length;
  if (shown.length === 0) return hidden ? `${hidden} not shown` : 'none';
  return hidden ? `${shown.join(', ')} and ${hidden} not shown` : shown.join(', ');
}

/** yaml messages that are fixed text (no part of the source in them), passed through as written. */
const FIXED_MESSAGES = new Set([
  'All sequence items must start at the same column',
  'Map keys must be unique',
  'Tabs are not allowed as indentation',
  'Implicit keys need to be on a single line',
  'Implicit map keys need to be followed by map values',
  'Missing closing "quote',
  "Missing closing 'quote",
  'Sequence item without - indicator',
  'Nested mappings are not allowed in compact mappings',
  'A block sequence may not be used as an implicit map key',
  'Comments must be separated from other tokens by white space characters',
  'Tags and anchors must be separated from the next token by white space',
  'A node can have at most one anchor',
  'A node can have at most one tag',
  'Flow sequence must end with a ]',
  'Flow mapping must end with a }',
  'Flow sequence in block collection must be sufficiently indented and end with a ]',
  'Flow mapping in block collection must be sufficiently indented and end with a }',
]);

const BY_CODE: Record<ErrorCode, string> = {
  ALIAS_PROPS: 'an alias cannot have an anchor or a tag',
  BAD_ALIAS: 'an anchor or alias is empty or ends in ":"',
  BAD_COLLECTION_TYPE: 'a tag does not fit the collection it is on',
  BAD_DIRECTIVE: 'a % directive is not valid',
  BAD_DQ_ESCAPE: 'a double-quoted string has an invalid escape sequence',
  BAD_INDENT: 'bad indentation',
  BAD_PROP_ORDER: 'anchors and tags must come after the "-", "?" or ":" indicator',
  BAD_SCALAR_START: 'a plain value starts with a reserved character; quote it',
  BLOCK_AS_IMPLICIT_KEY: 'a block collection cannot be a mapping key',
  BLOCK_IN_FLOW: 'a block collection cannot be inside [...] or {...}',
  DUPLICATE_KEY: 'Map keys must be unique',
  IMPOSSIBLE: 'the text cannot be read as YAML',
  KEY_OVER_1024_CHARS: 'a mapping key is longer than 1024 characters',
  MISSING_CHAR: 'a character is missing (a closing quote or bracket, a "," or ":", or a space)',
  MULTILINE_IMPLICIT_KEY: 'Implicit keys need to be on a single line',
  MULTIPLE_ANCHORS: 'A node can have at most one anchor',
  MULTIPLE_DOCS: 'the file holds more than one YAML document',
  MULTIPLE_TAGS: 'A node can have at most one tag',
  NON_STRING_KEY: 'a mapping key must be a plain value',
  RESOURCE_EXHAUSTION: 'the document expands to too much data',
  TAB_AS_INDENT: 'Tabs are not allowed as indentation',
  TAG_RESOLVE_FAILED: 'a tag is not supported here',
  UNEXPECTED_TOKEN: 'unexpected text where YAML syntax was expected',
};

/** What a YAML syntax error is, without any of the source text. */
export function yamlErrorText(error: YAMLError): string {
  const message = error.message.split(' at line ')[0];
  return FIXED_MESSAGES.has(message) ? message : (BY_CODE[error.code] ?? 'the text cannot be read as YAML');
}
