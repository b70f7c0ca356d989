import { InputError } from '../errors.js';

/**
 * The terraform arguments a TFE run's attributes become. `variables` arrive HCL-encoded, as the
 * CLI's `-var` values (a string is `"quoted"`, numbers, bools, lists and objects are HCL
 * expressions); terraform's own `-var` takes a primitive raw and anything else as HCL, so a
 * quoted string is unquoted and the rest passed as it is. Pure.
 */
export interface TfeRunArgsInput {
  variables: { key: string; value: string }[];
  targetAddrs: string[];
  replaceAddrs: string[];
}

const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;
/** a resource address: no flag, no whitespace or NUL (terraform parses the rest) */
const ADDRESS = /^[A-Za-z0-9_][^\s\0]*$/;

export function tfeRunArgs(input: TfeRunArgsInput): string[] {
  const args: string[] = [];
  if (input.variables.length > 256) throw new InputError('data.attributes.variables: at most 256 variables', { code: 'validation_error' });
  for (const [i, v] of input.variables.entries()) {
    if (!VARIABLE_NAME.test(v.key)) throw new InputError(`data.attributes.variables[${i}].key: "${v.key}" is not a variable name`, { code: 'validation_error' });
    args.push(`-var=${v.key}=${hclValue(v.value, i)}`);
  }
  for (const [name, list] of [['target', input.targetAddrs], ['replace', input.replaceAddrs]] as const) {
    for (const addr of list) {
      if (!ADDRESS.test(addr) || addr.length > 1024) throw new InputError(`data.attributes.${name}-addrs: "${addr}" is not a resource address`, { code: 'validation_error' });
      args.push(`-${name}=${addr}`);
    }
  }
  return args;
}

function hclValue(value: string, i: number): string {
  if (value.includes('\0')) throw new InputError(`data.attributes.variables[${i}].value: contains NUL`, { code: 'validation_error' });
  const trimmed = value.trim();
  if (!trimmed.startsWith('"')) return trimmed;
  // HCL's string escapes are JSON's (plus template sequences, kept as they are)
  try {
    const parsed: unknown = JSON.parse(trimmed);
    if (typeof parsed === 'string') return parsed;
  } catch {
    // fall through
  }
  throw new InputError(`data.attributes.variables[${i}].value: not an HCL-encoded value (a string must be one "quoted" literal)`, { code: 'validation_error' });
}
