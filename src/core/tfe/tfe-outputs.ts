/**
 * TFE's names for state outputs. An output's id is `wsout-<version uuid>.<name>` (output names are
 * identifiers, so the first "." splits it); `detailed-type` is the cty type terraform wrote into
 * the state, and `type` TFE's coarse word for it. Pure.
 */
export function outputId(versionId: string, name: string): string {
  return `wsout-${versionId}.${name}`;
}

export function parseOutputId(id: string): { versionId: string; name: string } | null {
  const m = /^wsout-([0-9a-f-]{36})\.(.+)$/i.exec(id);
  return m ? { versionId: m[1], name: m[2] } : null;
}

export function tfeOutputType(ctyType: unknown): string {
  const head = Array.isArray(ctyType) ? ctyType[0] : ctyType;
  if (head === 'list' || head === 'tuple' || head === 'set') return 'array';
  if (head === 'map' || head === 'object') return 'object';
  return typeof head === 'string' ? head : 'string';
}
