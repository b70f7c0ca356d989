import { DomainError, UnavailableError } from '../errors.js';
import { outboundFetch, type OutboundPolicy } from '../outbound/outbound-guard.js';
import { latestRelease } from './terraform-constraints.js';

/**
 * The latest releases, as the upgrade bot asks them: providers from a Terraform registry's
 * provider-versions API (`GET /v1/providers/{namespace}/{type}/versions`), terraform itself from a
 * releases URL answering HashiCorp's releases API (`[{ "version", "is_prerelease" }]`), the
 * releases index (`{ "versions": { "1.11.2": … } }`) or checkpoint (`{ "current_version" }`).
 * Answers are cached for one execution; a failure names the URL (never a credential: none is sent).
 * Each request passes the outbound guard (the URLs are a tenant's choice): a private address is
 * refused, and a redirect is not followed (it is reported as the status it is).
 */
export class RegistryClient {
  readonly #cache = new Map<string, Promise<string | null>>();

  constructor(private readonly options: { registryUrl: string; releasesUrl: string; outbound: OutboundPolicy; timeoutMs?: number }) {}

  /** null for a source on another registry host, or one the registry does not know */
  latestProvider(source: string): Promise<string | null> {
    const parts = source.toLowerCase().split('/');
    const host = new URL(this.options.registryUrl).host;
    if (parts.length === 3 && parts[0] !== host && parts[0] !== 'registry.terraform.io') return Promise.resolve(null);
    const [namespace, type] = parts.slice(-2);
    const url = `${this.options.registryUrl.replace(/\/+$/, '')}/v1/providers/${encodeURIComponent(namespace)}/${encodeURIComponent(type)}/versions`;
    return this.cached(url, (body) => latestRelease(((body as { versions?: { version?: unknown }[] }).versions ?? []).map((v) => String(v.version))));
  }

  latestTerraform(): Promise<string | null> {
    return this.cached(this.options.releasesUrl, (body) => {
      if (Array.isArray(body)) return latestRelease(body.filter((r) => !r?.is_prerelease).map((r) => String(r?.version)));
      const b = body as { versions?: Record<string, unknown>; current_version?: unknown };
      if (b.versions) return latestRelease(Object.keys(b.versions));
      return typeof b.current_version === 'string' ? latestRelease([b.current_version]) : null;
    });
  }

  private cached(url: string, pick: (body: unknown) => string | null): Promise<string | null> {
    let answer = this.#cache.get(url);
    if (!answer) {
      answer = this.fetchJson(url).then((body) => (body === null ? null : pick(body)));
      this.#cache.set(url, answer);
    }
    return answer;
  }

  private async fetchJson(url: string): Promise<unknown> {
    let res: Response;
    try {
      res = await outboundFetch(url, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(this.options.timeoutMs ?? 15_000) }, this.options.outbound, 'upgrade_bot registry');
    } catch (err) {
      if (err instanceof DomainError) throw err; // the outbound guard's refusal says what to fix
      throw new UnavailableError(`${url} could not be reached (${(err as Error).name === 'TimeoutError' ? 'timed out' : (err as Error).message})`, { code: 'agent.registry_unavailable' });
    }
    if (res.status === 404) return null;
    if (!res.ok) throw new UnavailableError(`${url} answered HTTP ${res.status}`, { code: 'agent.registry_unavailable' });
    try {
      return await res.json();
    } catch {
      throw new UnavailableError(`${url} did not answer JSON`, { code: 'agent.registry_unavailable' });
    }
  }
}
