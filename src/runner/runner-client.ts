/**
 * HTTP to the server's runner protocol (/api/v1/runner/…, or a TFE listener's /api/v2/listeners/{id}/…
 * with `prefix`) with the runner's token; nothing else.
 */
export class RunnerClient {
  runnerId: string;
  private readonly prefix: string;

  constructor(private readonly baseUrl: string, private readonly token: string, options: { prefix?: string; runnerId?: string } = {}) {
    this.prefix = options.prefix ?? '/api/v1/runner';
    this.runnerId = options.runnerId ?? '';
  }

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    return { authorization: `Bearer ${this.token}`, ...(this.runnerId ? { 'x-atlantas-runner': this.runnerId } : {}), ...extra };
  }

  /** JSON in, JSON out (null for 204); a non-2xx answer throws with the server's message. */
  async send(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<unknown> {
    const res = await fetch(`${this.baseUrl}${this.prefix}${path}`, {
      method, signal, headers: this.headers(body === undefined ? {} : { 'content-type': 'application/json' }),
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return this.read(res, path);
  }

  async upload(path: string, data: Buffer): Promise<void> {
    const res = await fetch(`${this.baseUrl}${this.prefix}${path}`, {
      method: 'PUT', headers: this.headers({ 'content-type': 'application/octet-stream' }), body: new Uint8Array(data),
    });
    await this.read(res, path);
  }

  private async read(res: Response, path: string): Promise<unknown> {
    const text = await res.text();
    if (!res.ok) {
      let message = text.slice(0, 500);
      try {
        const parsed = JSON.parse(text) as { error?: string; message?: string };
        message = parsed.message ?? parsed.error ?? message;
      } catch {
        // not JSON
      }
      throw Object.assign(new Error(`${path}: ${res.status} ${message}`), { status: res.status });
    }
    return text ? JSON.parse(text) : null;
  }
}
