import http from "node:http";
import autocannon from "autocannon";
import type { BenchUser } from "./seed";

// The load: autocannon as a library, every request built on the fly so that bearer tokens (session
// tokens or API keys) rotate across the users and ids always belong to the credential's user.

export interface RequestSpec {
  method: "GET" | "POST" | "PATCH";
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

/** How a task endpoint authenticates: the user's session token or the user's API key. */
export type Credential = "session" | "api-key";

export interface Endpoint {
  name: string;
  /** Whether this is an authenticated task endpoint (held to the per-request targets). */
  task: boolean;
  /** The request line shared by an endpoint's credential variants (its name without the credential). */
  route?: string;
  /** What a task endpoint authenticates with. */
  credential?: Credential;
  request(n: number): RequestSpec;
}

const JSON_BODY = { "content-type": "application/json" };
const API_KEY_SUFFIX = " (API key)";

// A cheap deterministic spread of n over [0, size): consecutive requests hit unrelated rows.
const spread = (n: number, size: number) => (Math.imul(n, 2_654_435_761) >>> 0) % size;

/**
 * The endpoint mix, bearer credentials rotating across the users and ids always the credential
 * user's own. With `apiKeys`, every task endpoint is followed by the same requests sent with the
 * users' API keys (`Authorization: Bearer tk_...`), named "<request> (API key)".
 */
export function taskEndpoints(users: BenchUser[], { apiKeys = false } = {}): Endpoint[] {
  const session = endpointsWith(users, "session");
  if (!apiKeys) return session;
  const keyed = endpointsWith(users, "api-key");
  return session.flatMap((endpoint, i) => (endpoint.task ? [endpoint, keyed[i]!] : [endpoint]));
}

function endpointsWith(users: BenchUser[], credential: Credential): Endpoint[] {
  if (credential === "api-key") {
    const missing = users.find((user) => !user.apiKey);
    if (missing) throw new Error(`bench user ${missing.email} has no API key`);
  }
  const bearer = (user: BenchUser) => ({ authorization: `Bearer ${credential === "api-key" ? user.apiKey : user.token}` });
  const user = (n: number) => users[n % users.length]!;
  const ownTask = (n: number) => {
    const owner = user(n);
    return { owner, id: owner.taskIds[spread(n, owner.taskIds.length)]! };
  };
  const endpoints: Endpoint[] = [
    { name: "GET /api/tasks?limit=50", task: true, request: (n) => ({ method: "GET", path: "/api/tasks?limit=50", headers: bearer(user(n)) }) },
    {
      name: "GET /api/tasks/{id}",
      task: true,
      request: (n) => {
        const { owner, id } = ownTask(n);
        return { method: "GET", path: `/api/tasks/${id}`, headers: bearer(owner) };
      },
    },
    {
      name: "POST /api/tasks",
      task: true,
      request: (n) => ({
        method: "POST",
        path: "/api/tasks",
        headers: { ...bearer(user(n)), ...JSON_BODY },
        body: JSON.stringify({ title: `Bench task ${n}`, description: "Created under load" }),
      }),
    },
    {
      name: "PATCH /api/tasks/{id}",
      task: true,
      request: (n) => {
        const { owner, id } = ownTask(n);
        return {
          method: "PATCH",
          path: `/api/tasks/${id}`,
          headers: { ...bearer(owner), ...JSON_BODY },
          body: JSON.stringify({ title: `Patched under load ${n}`, completed: n % 2 === 0 }),
        };
      },
    },
    { name: "GET /api/health", task: false, request: () => ({ method: "GET", path: "/api/health" }) },
  ];
  return endpoints.map((endpoint) =>
    endpoint.task
      ? { ...endpoint, route: endpoint.name, credential, name: credential === "api-key" ? endpoint.name + API_KEY_SUFFIX : endpoint.name }
      : endpoint,
  );
}

export const floorEndpoint: Endpoint = {
  name: "GET /api/bench/floor",
  task: false,
  request: () => ({ method: "GET", path: "/api/bench/floor" }),
};

export interface LoadResult {
  /** Completed responses. */
  requests: number;
  /** Requests sent, including the (at most one per connection) still in flight when the run ended. */
  sent: number;
  durationS: number;
  rps: number;
  p50: number;
  p99: number;
  meanMs: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
}

export async function runLoad(url: string, endpoint: Endpoint, { connections, durationS }: { connections: number; durationS: number }): Promise<LoadResult> {
  let n = 0;
  const result = await autocannon({
    url,
    connections,
    duration: durationS,
    timeout: 10,
    requests: [
      {
        setupRequest: (request) => {
          const spec = endpoint.request(n++);
          return { ...request, method: spec.method, path: spec.path, headers: { ...request.headers, ...spec.headers }, body: spec.body ?? "" };
        },
      },
    ],
  });
  const statusCodes: Record<string, number> = {};
  for (const [code, { count }] of Object.entries(result.statusCodeStats ?? {})) statusCodes[code] = count ?? 0;
  return {
    requests: result.requests.total,
    sent: result.requests.sent,
    durationS: result.duration,
    rps: result.requests.total / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    meanMs: result.latency.mean,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    statusCodes,
  };
}

/** One connection, one request at a time, timed with hrtime: latency without queueing. */
export async function runSequential(url: string, endpoint: Endpoint, durationS: number): Promise<{ requests: number; p50: number; p99: number; non2xx: number }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const base = new URL(url);
  const times: number[] = [];
  let non2xx = 0;
  const deadline = performance.now() + durationS * 1000;
  for (let n = 0; performance.now() < deadline; n++) {
    const spec = endpoint.request(n);
    const started = performance.now();
    const status = await new Promise<number>((resolve, reject) => {
      const request = http.request(
        { agent, host: base.hostname, port: base.port, method: spec.method, path: spec.path, headers: spec.headers },
        (response) => {
          response.on("data", () => {});
          response.on("end", () => resolve(response.statusCode ?? 0));
          response.on("error", reject);
        },
      );
      request.on("error", reject);
      request.end(spec.body);
    });
    times.push(performance.now() - started);
    if (status < 200 || status > 299) non2xx++;
  }
  agent.destroy();
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? 0;
  return { requests: times.length, p50: at(0.5), p99: at(0.99), non2xx };
}
