import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { ScaledObject } from '@kubernetes-models/keda/keda.sh/v1alpha1';
import { Deployment } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ConfigMap, Namespace, Secret, Service } from 'kubernetes-models/v1';

/**
 * Loading and rendering deploy/kubernetes for its test: every YAML document, each kustomization
 * rendered by `kubectl kustomize` (kustomize's own merge, not a copy of it), and the
 * kubernetes-models validator of each kind we ship.
 */
export const DEPLOY_DIR = path.resolve(import.meta.dirname, '../../deploy/kubernetes');

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  [field: string]: any;
}

export interface YamlFile { file: string; docs: any[] }

type Validator = new (data: any) => { validate(): void };
const VALIDATORS: Record<string, Validator> = {
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'v1/Namespace': Namespace,
  'apps/v1/Deployment': Deployment,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'networking.k8s.io/v1/Ingress': Ingress,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'keda.sh/v1alpha1/ScaledObject': ScaledObject,
};

/** Throws with the schema's message; a kind we have no schema for is an error, not a pass. */
export function validateObject(obj: K8sObject): void {
  const Model = VALIDATORS[`${obj.apiVersion}/${obj.kind}`];
  if (!Model) throw new Error(`no kubernetes-models validator for ${obj.apiVersion} ${obj.kind}`);
  new Model(obj).validate();
}

export function yamlFiles(dir = DEPLOY_DIR): YamlFile[] {
  const out: YamlFile[] = [];
  for (const entry of readdirSync(dir).sort()) {
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory()) out.push(...yamlFiles(full));
    else if (/\.ya?ml$/.test(entry)) {
      const docs = parseAllDocuments(readFileSync(full, 'utf8'));
      for (const d of docs) if (d.errors.length) throw new Error(`${full}: ${d.errors[0].message}`);
      out.push({ file: full, docs: docs.map((d) => d.toJS()).filter((d) => d != null) });
    }
  }
  return out;
}

export const isKustomization = (doc: any) => doc?.kind === 'Kustomization' || doc?.kind === 'Component';

/** Files a kustomization names: resources and components (file or directory), patch files. */
export function referencedPaths(kustomizationFile: string, k: any): string[] {
  const dir = path.dirname(kustomizationFile);
  const refs: string[] = [...(k.resources ?? []), ...(k.components ?? []), ...(k.patches ?? []).filter((p: any) => p.path).map((p: any) => p.path)];
  return refs.map((r) => path.resolve(dir, r));
}

export function kubectlAvailable(): boolean {
  try {
    execFileSync('kubectl', ['version', '--client'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export function kustomize(dir: string): K8sObject[] {
  const out = execFileSync('kubectl', ['kustomize', dir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return parseAllDocuments(out).map((d) => d.toJS()).filter(Boolean);
}

/** The base with one component added, as an overlay would add it. */
export function kustomizeBaseWith(component: string): K8sObject[] {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'atlantas-kustomize-'));
  try {
    const rel = (p: string) => path.relative(tmp, p);
    writeFileSync(path.join(tmp, 'kustomization.yaml'), [
      'apiVersion: kustomize.config.k8s.io/v1beta1', 'kind: Kustomization',
      `resources: [${rel(path.join(DEPLOY_DIR, 'base'))}]`, `components: [${rel(component)}]`, '',
    ].join('\n'));
    return kustomize(tmp);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

export function kustomizationDirs(sub: string): string[] {
  const dir = path.join(DEPLOY_DIR, sub);
  return existsSync(dir) ? readdirSync(dir).sort().map((d) => path.join(dir, d)) : [];
}

/** The environment a container gets: its env names and values, its envFrom maps and secrets inlined. */
export function containerEnv(objects: K8sObject[], container: any): Map<string, string | { secretKeyRef: any }> {
  const env = new Map<string, string | { secretKeyRef: any }>();
  const find = (kind: string, name: string) => {
    const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
    if (!found) throw new Error(`envFrom names ${kind} ${name}, which the build does not contain`);
    return found;
  };
  for (const from of container.envFrom ?? []) {
    if (from.configMapRef) for (const [k, v] of Object.entries(find('ConfigMap', from.configMapRef.name).data ?? {})) env.set(k, String(v));
    if (from.secretRef) {
      const secret = find('Secret', from.secretRef.name);
      for (const [k, v] of Object.entries(secret.stringData ?? {})) env.set(k, String(v));
      for (const [k, v] of Object.entries(secret.data ?? {})) env.set(k, Buffer.from(String(v), 'base64').toString());
    }
  }
  for (const e of container.env ?? []) env.set(e.name, e.valueFrom?.secretKeyRef ? { secretKeyRef: e.valueFrom.secretKeyRef } : String(e.value ?? ''));
  return env;
}

export function deployment(objects: K8sObject[], name: string): K8sObject {
  const found = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === name);
  if (!found) throw new Error(`no Deployment ${name} in the build`);
  return found;
}
