import parsePrometheusTextFormat, { type MetricFamily } from 'parse-prometheus-text-format';
import type { TestApp } from './start-app.js';

export interface Scrape {
  families: MetricFamily[];
  /** a counter or gauge summed over the samples whose labels include `labels`; 0 when none */
  value(name: string, labels?: Record<string, string>): number;
  /** a histogram's observation count over the matching samples (its `_count` series) */
  count(name: string, labels?: Record<string, string>): number;
  /** every label set of a metric */
  labelSets(name: string): Record<string, string>[];
}

/**
 * GET /metrics, parsed with a Prometheus text-format parser (a malformed exposition throws).
 * That parser folds a labelled histogram into one sample without its labels or count, so
 * histogram counts are read from the `<name>_count{…}` series of the same text.
 */
export async function scrape(app: Pick<TestApp, 'req'>, token?: string): Promise<Scrape> {
  const res = await app.req('GET', '/metrics', { headers: token ? { authorization: `Bearer ${token}` } : {} });
  if (res.status !== 200) throw new Error(`GET /metrics answered ${res.status}: ${res.text}`);
  const families = parsePrometheusTextFormat(res.text);
  const matching = (name: string, labels: Record<string, string>) =>
    (families.find((f) => f.name === name)?.metrics ?? []).filter((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));
  return {
    families,
    value: (name, labels = {}) => matching(name, labels).reduce((sum, m) => sum + Number(m.value), 0),
    count: (name, labels = {}) => histogramCounts(res.text, name)
      .filter((c) => Object.entries(labels).every(([k, v]) => c.labels[k] === v))
      .reduce((sum, c) => sum + c.value, 0),
    labelSets: (name) => (families.find((f) => f.name === name)?.metrics ?? []).map((m) => m.labels ?? {}),
  };
}

function histogramCounts(text: string, name: string): { labels: Record<string, string>; value: number }[] {
  const line = new RegExp(`^${name}_count(?:\\{(.*)\\})? (\\S+)$`);
  return text.split('\n').flatMap((l) => {
    const m = line.exec(l);
    if (!m) return [];
    const labels = Object.fromEntries([...(m[1] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((p) => [p[1], p[2]]));
    return [{ labels, value: Number(m[2]) }];
  });
}
