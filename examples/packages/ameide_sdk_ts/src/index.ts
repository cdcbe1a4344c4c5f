// Public surface of @ameideio/ameide-sdk-ts: a small JSON-over-HTTP client for the
// platform services described in generated/proto (copied there by scripts/sync-proto.sh).

export const SDK_VERSION = "1.4.0";

export interface RequestContext {
  tenantId: string;
  actorId?: string;
  traceId?: string;
}

export interface ClientOptions {
  baseUrl: string;
  fetch?: typeof fetch;
}

export class AmeideClient {
  private readonly baseUrl: string;
  private readonly fetchImpl: typeof fetch;

  constructor(options: ClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
    this.fetchImpl = options.fetch ?? fetch;
  }

  /** Calls `<service>/<method>` (e.g. `ameide.graph.v1.GraphService/GetNode`). */
  async call<Res>(service: string, method: string, context: RequestContext, body: object): Promise<Res> {
    const response = await this.fetchImpl(`${this.baseUrl}/${service}/${method}`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-ameide-sdk": `ts/${SDK_VERSION}` },
      body: JSON.stringify({ context, ...body }),
    });
    if (!response.ok) {
      throw new Error(`${service}/${method}: HTTP ${response.status}`);
    }
    return (await response.json()) as Res;
  }
}
