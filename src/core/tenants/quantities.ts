/**
 * Kubernetes-style quantities of the tenant's CPU and memory quotas (`4000m`, `4`; `8Gi`,
 * `512Mi`), and what an instance asks for in its `config_json` (`cpu`, `memory`, per replica,
 * times `serverReplicas`, default 1). Pure.
 */

/** Millicores of `4000m` or `4` (or `0.5`); null when it is not a CPU quantity. */
export function millicores(v: unknown): number | null {
  if (typeof v === 'number' && Number.isFinite(v) && v >= 0) return Math.round(v * 1000);
  const m = typeof v === 'string' ? /^(\d+(?:\.\d+)?)(m)?$/.exec(v.trim()) : null;
  if (!m) return null;
  return Math.round(m[2] ? Number(m[1]) : Number(m[1]) * 1000);
}

const BYTES: Record<string, number> = { '': 1, Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, Ti: 1024 ** 4, K: 1e3, M: 1e6, G: 1e9, T: 1e12 };

/** Bytes of `8Gi`, `512Mi`, `1G` or `1048576`; null when it is not a memory quantity. */
export function bytes(v: unknown): number | null {
  if (typeof v === 'number' && Number.isFinite(v) && v >= 0) return Math.round(v);
  const m = typeof v === 'string' ? /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|K|M|G|T)?$/.exec(v.trim()) : null;
  return m ? Math.round(Number(m[1]) * BYTES[m[2] ?? '']!) : null;
}

export function formatMillicores(m: number): string {
  return `${m}m`;
}

export function formatBytes(b: number): string {
  for (const unit of ['Ti', 'Gi', 'Mi', 'Ki'] as const) if (b >= BYTES[unit]! && b % BYTES[unit]! === 0) return `${b / BYTES[unit]!}${unit}`;
  return String(b);
}

/** What one instance asks for: its config's cpu and memory per replica, times its server replicas. */
export function instanceRequests(config: Record<string, unknown>): { millicores: number; bytes: number } {
  const replicas = typeof config.serverReplicas === 'number' && config.serverReplicas >= 0 ? config.serverReplicas : 1;
  return { millicores: (millicores(config.cpu) ?? 0) * replicas, bytes: (bytes(config.memory) ?? 0) * replicas };
}
