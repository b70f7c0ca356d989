/**
 * The optional language model (ATLANTAS_LLM_URL): an OpenAI-compatible `POST …/v1/chat/completions`.
 * The URL is operator configuration, never a tenant's, so it needs no outbound guard; what is sent is
 * built by the callers from redacted evidence only (ai/redact.ts). Any failure — timeout, refusal,
 * an answer without text — is an `LlmError`, and callers fall back to their deterministic answer.
 */
export interface LlmMessage {
  role: 'system' | 'user';
  content: string;
}

export interface LlmClient {
  /** the model's name, shown with an answer it wrote */
  readonly model: string;
  complete(messages: LlmMessage[]): Promise<string>;
}

export interface LlmSettings {
  url: string;
  apiKey?: string;
  model: string;
  timeoutMs: number;
}

export class LlmError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LlmError';
  }
}

/** Base URL, …/v1 or the full …/chat/completions: all name the same endpoint. */
export function completionsUrl(url: string): string {
  const base = url.replace(/\/+$/, '');
  if (/\/chat\/completions$/.test(base)) return base;
  if (/\/v1$/.test(base)) return `${base}/chat/completions`;
  return `${base}/v1/chat/completions`;
}

export class OpenAiCompatibleClient implements LlmClient {
  readonly model: string;
  private readonly endpoint: string;

  constructor(private readonly settings: LlmSettings, private readonly fetchImpl: typeof fetch = fetch) {
    this.model = settings.model;
    this.endpoint = completionsUrl(settings.url);
  }

  async complete(messages: LlmMessage[]): Promise<string> {
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
    if (this.settings.apiKey) headers.authorization = `Bearer ${this.settings.apiKey}`;
    let res: Response;
    try {
      res = await this.fetchImpl(this.endpoint, {
        method: 'POST', headers, redirect: 'error', signal: AbortSignal.timeout(this.settings.timeoutMs),
        body: JSON.stringify({ model: this.model, messages, temperature: 0 }),
      });
    } catch (err) {
      const timedOut = (err as Error)?.name === 'TimeoutError';
      throw new LlmError(timedOut ? `the model did not answer within ${Math.round(this.settings.timeoutMs / 1000)}s` : 'the model could not be reached');
    }
    if (!res.ok) {
      await res.body?.cancel().catch(() => {});
      throw new LlmError(`the model answered HTTP ${res.status}`);
    }
    const body = (await res.json().catch(() => null)) as { choices?: { message?: { content?: unknown } }[] } | null;
    const content = body?.choices?.[0]?.message?.content;
    if (typeof content !== 'string' || !content.trim()) throw new LlmError('the model\'s answer had no text');
    return content.trim();
  }
}
