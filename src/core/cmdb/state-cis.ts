import type { StateDocument } from '../state/state-document.js';

/** What stands in for a value the state marks sensitive. */
export const REDACTED = '(sensitive)';

/** One managed resource instance of a state, as a configuration item. Pure data. */
export interface StateCi {
  /** the instance's full address: `module.net.aws_subnet.this["a"]` */
  address: string;
  /** the resource's address without the instance key, which `dependencies` name */
  resourceAddress: string;
  type: string;
  /** `registry.terraform.io/hashicorp/aws` */
  provider: string;
  /** the provider's short name and the type: `aws_subnet` → class `aws.subnet`; built-ins → `terraform.data` */
  class: string;
  /** resource addresses (not instances) this one depends on, as terraform recorded them */
  dependsOn: string[];
  /** the attributes with every sensitive value replaced by REDACTED */
  attributes: Record<string, unknown>;
}

interface StateInstance {
  index_key?: string | number;
  attributes?: Record<string, unknown>;
  sensitive_attributes?: unknown;
  dependencies?: unknown;
}

interface StateResource {
  mode?: string;
  type?: string;
  name?: string;
  module?: string;
  provider?: string;
  instances?: StateInstance[];
}

/**
 * The configuration items of a state: each managed resource instance (data sources are reads, not
 * things), with its dependencies and its attributes minus sensitive values. Sensitive values are
 * those at the instance's `sensitive_attributes` paths, the values of sensitive root outputs, and
 * any other string in the state equal to one of them (terraform marks `terraform_data.input.x`
 * but not the `output` that echoes it).
 */
export function cisFromState(doc: StateDocument): StateCi[] {
  const resources = Array.isArray(doc.resources) ? (doc.resources as StateResource[]) : [];
  const secrets = new Set<string>();
  for (const output of Object.values(doc.outputs ?? {})) if (output?.sensitive) collectStrings(output.value, secrets);
  for (const resource of resources) {
    for (const instance of resource.instances ?? []) {
      for (const path of sensitivePaths(instance.sensitive_attributes)) collectStrings(valueAt(instance.attributes, path), secrets);
    }
  }
  const cis: StateCi[] = [];
  for (const resource of resources) {
    if (resource.mode !== 'managed' || !resource.type || !resource.name) continue;
    const resourceAddress = `${resource.module ? `${resource.module}.` : ''}${resource.type}.${resource.name}`;
    const provider = providerSource(resource.provider);
    for (const instance of resource.instances ?? []) {
      const attributes = redact(instance.attributes ?? {}, sensitivePaths(instance.sensitive_attributes), secrets);
      cis.push({
        address: resourceAddress + indexSuffix(instance.index_key),
        resourceAddress,
        type: resource.type,
        provider,
        class: ciClass(resource.type, provider),
        dependsOn: Array.isArray(instance.dependencies) ? instance.dependencies.filter((d): d is string => typeof d === 'string') : [],
        attributes: attributes as Record<string, unknown>,
      });
    }
  }
  return cis;
}

function indexSuffix(key: string | number | undefined): string {
  if (key === undefined || key === null) return '';
  return typeof key === 'number' ? `[${key}]` : `[${JSON.stringify(key)}]`;
}

/** `provider["registry.terraform.io/hashicorp/aws"].west` → `registry.terraform.io/hashicorp/aws` */
function providerSource(provider: string | undefined): string {
  const match = /provider\["([^"]+)"\]/.exec(provider ?? '');
  return match ? match[1] : provider ?? '';
}

function ciClass(type: string, provider: string): string {
  const short = provider.split('/').pop() ?? '';
  if (short && type.startsWith(`${short}_`)) return `${short}.${type.slice(short.length + 1)}`;
  return type.replace('_', '.');
}

type PathStep = string | number;

/**
 * A sensitive value shorter than this is redacted only where the state marks it, not wherever an
 * equal value appears (a sensitive `0` or `true` would otherwise blank out every zero and flag).
 */
const MIN_ECHOED_SECRET = 3;

/** `[[{"type":"get_attr","value":"input"},{"type":"index","value":{"value":0,"type":"number"}}]]` → steps. */
function sensitivePaths(raw: unknown): PathStep[][] {
  if (!Array.isArray(raw)) return [];
  const paths: PathStep[][] = [];
  for (const path of raw) {
    if (!Array.isArray(path)) continue;
    const steps: PathStep[] = [];
    for (const step of path as { type?: string; value?: unknown }[]) {
      if (step?.type === 'get_attr' && typeof step.value === 'string') steps.push(step.value);
      else if (step?.type === 'index') {
        const key = step.value && typeof step.value === 'object' ? (step.value as { value?: unknown }).value : step.value;
        if (typeof key === 'string' || typeof key === 'number') steps.push(key);
      }
    }
    if (steps.length) paths.push(steps);
  }
  return paths;
}

/** A dynamic attribute (terraform_data's input/output) is stored as `{ value, type }`: steps look inside `value`. */
function unwrapDynamic(node: unknown): unknown {
  if (node && typeof node === 'object' && !Array.isArray(node) && 'value' in node && 'type' in node && Object.keys(node).length === 2) {
    return (node as { value: unknown }).value;
  }
  return node;
}

function child(node: unknown, step: PathStep): unknown {
  const inner = unwrapDynamic(node);
  if (inner && typeof inner === 'object') return (inner as Record<string | number, unknown>)[step];
  return undefined;
}

function valueAt(root: unknown, path: PathStep[]): unknown {
  return path.reduce<unknown>((node, step) => child(node, step), root);
}

function collectStrings(value: unknown, into: Set<string>): void {
  if (value === null || value === undefined) return;
  if (typeof value === 'object') {
    for (const v of Object.values(value as Record<string, unknown>)) collectStrings(v, into);
  } else if (String(value).length >= MIN_ECHOED_SECRET) {
    into.add(String(value));
  }
}

/** A copy of `node` with the values at `paths`, and every string/number equal to a secret, replaced. */
function redact(node: unknown, paths: PathStep[][], secrets: ReadonlySet<string>): unknown {
  if (paths.some((p) => p.length === 0)) return REDACTED;
  if (node === null || node === undefined) return node;
  if (typeof node !== 'object') return secrets.has(String(node)) ? REDACTED : node;
  const dynamic = unwrapDynamic(node) !== node;
  if (dynamic) {
    const wrapper = node as { value: unknown; type: unknown };
    return { value: redact(wrapper.value, paths, secrets), type: wrapper.type };
  }
  const entries = Array.isArray(node) ? node.map((v, i) => [i, v] as const) : Object.entries(node as Record<string, unknown>);
  const out: Record<string | number, unknown> | unknown[] = Array.isArray(node) ? [] : {};
  for (const [key, value] of entries) {
    const below = paths.filter((p) => p[0] === key || String(p[0]) === String(key)).map((p) => p.slice(1));
    (out as Record<string | number, unknown>)[key] = redact(value, below, secrets);
  }
  return out;
}
