import { randomUUID } from "node:crypto";
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

/** A request header whose cost is measured against the same request without it (issue 12). */
export type MeasuredHeader = "Idempotency-Key" | "If-Match";

type ResponseHeaders = Record<string, string | string[] | undefined>;

/** What one connection sends, request after request, each built after the previous answer. */
export interface Connection {
  next(): RequestSpec;
  answered?(status: number, headers: ResponseHeaders): void;
}

interface EndpointInfo {
  name: string;
  /** Whether this is an authenticated task endpoint (held to the per-request targets). */
  task: boolean;
  /** The request line shared by an endpoint's variants (its name without the credential or header). */
  route?: string;
  /** What a task endpoint authenticates with. */
  credential?: Credential;
  /** The header this variant adds to the request of its route. */
  header?: MeasuredHeader;
  /** For a floor: the task request whose shape it has (method, dynamic segment, body). */
  floorOf?: string;
}

/**
 * Either the n-th request, whichever connection sends it, or each connection's own sequence for
 * requests that depend on the previous answer (If-Match carries the ETag of the last write),
 * prepared against the server before the load starts.
 */
export type Endpoint = EndpointInfo & ({ request(n: number): RequestSpec } | { connections(url: string, count: number): Promise<Connection[]> });

const JSON_BODY = { "content-type": "application/json" };
const API_KEY_SUFFIX = " (API key)";

// A cheap deterministic spread of n over [0, size): consecutive requests hit unrelated rows.
const spread = (n: number, size: number) => (Math.imul(n, 2_654_435_761) >>> 0) % size;

/**
 * The endpoint mix, bearer credentials rotating across the users and ids always the credential
 * user's own. With `apiKeys`, every task endpoint is followed by the same requests sent with the
 * users' API keys (`Authorization: Bearer tk_...`), named "<request> (API key)". With `headers`,
 * POST and PATCH are then sent again with a session and an Idempotency-Key or If-Match, named
 * "<request> + <header>".
 */
export function taskEndpoints(users: BenchUser[], { apiKeys = false, headers = false } = {}): Endpoint[] {
  const session = endpointsWith(users, "session");
  const keyed = apiKeys ? endpointsWith(users, "api-key") : [];
  const variants = headers ? headerVariants(users) : [];
  return session.flatMap((endpoint, i) => [
    endpoint,
    ...(endpoint.task && apiKeys ? [keyed[i]!] : []),
    ...variants.filter((variant) => endpoint.task && variant.route === endpoint.route),
  ]);
}

const bearerOf = (user: BenchUser, credential: Credential) => ({
  authorization: `Bearer ${credential === "api-key" ? user.apiKey : user.token}`,
});
const createBody = (n: number) => JSON.stringify({ title: `Bench task ${n}`, description: "Created under load" });
const patchBody = (n: number) => JSON.stringify({ title: `Patched under load ${n}`, completed: n % 2 === 0 });

function endpointsWith(users: BenchUser[], credential: Credential): Endpoint[] {
  if (credential === "api-key") {
    const missing = users.find((user) => !user.apiKey);
    if (missing) throw new Error(`bench user ${missing.email} has no API key`);
  }
  const bearer = (user: BenchUser) => bearerOf(user, credential);
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
        body: createBody(n),
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
          body: patchBody(n),
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

/** POST and PATCH with the header that makes them safe to retry, each with the plain request's body. */
function headerVariants(users: BenchUser[]): Endpoint[] {
  const user = (n: number) => users[n % users.length]!;
  return [
    {
      name: "POST /api/tasks + Idempotency-Key",
      task: true,
      route: "POST /api/tasks",
      credential: "session",
      header: "Idempotency-Key",
      // A new key per request, as a client makes one per create: every request creates a task
      // (a replay would measure the lookup alone).
      request: (n) => ({
        method: "POST",
        path: "/api/tasks",
        headers: { ...bearerOf(user(n), "session"), ...JSON_BODY, "idempotency-key": randomUUID() },
        body: createBody(n),
      }),
    },
    {
      name: "PATCH /api/tasks/{id} + If-Match",
      task: true,
      route: "PATCH /api/tasks/{id}",
      credential: "session",
      header: "If-Match",
      connections: (url, count) => conditionalWriters(url, users, count),
    },
  ];
}

/**
 * One task per connection, each PATCH sent with If-Match holding the ETag of the connection's
 * previous answer, so that every request is a conditional write that succeeds (a 412 counts as
 * non-2xx). The first ETag is read with a GET before the load starts.
 */
async function conditionalWriters(url: string, users: BenchUser[], count: number): Promise<Connection[]> {
  return Promise.all(
    Array.from({ length: count }, async (_, c): Promise<Connection> => {
      const owner = users[c % users.length]!;
      const id = owner.taskIds[Math.floor(c / users.length)];
      if (id === undefined) throw new Error(`too few tasks for ${count} connections to PATCH one each`);
      const headers = bearerOf(owner, "session");
      const response = await fetch(`${url}/api/tasks/${id}`, { headers });
      await response.arrayBuffer();
      let etag = response.headers.get("etag");
      if (response.status !== 200 || !etag) throw new Error(`GET /api/tasks/${id} answered ${response.status} with ETag ${etag}`);
      let n = 0;
      return {
        next: () => ({ method: "PATCH", path: `/api/tasks/${id}`, headers: { ...headers, ...JSON_BODY, "if-match": etag! }, body: patchBody(n++) }),
        answered: (status, answer) => {
          const next = headerOf(answer, "etag");
          if (status === 200 && next) etag = next;
        },
      };
    }),
  );
}

function headerOf(headers: ResponseHeaders, name: string): string | undefined {
  const value = Object.entries(headers).find(([key]) => key.toLowerCase() === name)?.[1];
  return Array.isArray(value) ? value[0] : value;
}

/** Each of `count` connections' requests; stateless endpoints share one sequence n = 0, 1, 2… */
async function openConnections(url: string, endpoint: Endpoint, count: number): Promise<Connection[]> {
  if ("connections" in endpoint) return endpoint.connections(url, count);
  let n = 0;
  const shared: Connection = { next: () => endpoint.request(n++) };
  return Array.from({ length: count }, () => shared);
}

export const floorEndpoint: Endpoint = {
  name: "GET /api/bench/floor",
  task: false,
  request: () => ({ method: "GET", path: "/api/bench/floor" }),
};

/** The floor whose handler first waits `ms` on a timer, without a database: what waiting itself costs a request. */
export const waitingFloorEndpoint = (ms: number): Endpoint => ({
  name: `GET /api/bench/floor?wait=${ms}`,
  task: false,
  request: () => ({ method: "GET", path: `/api/bench/floor?wait=${ms}` }),
});

/**
 * The floor's variants: through the app's route wrapper, and one per task request with that
 * request's shape (its method, a dynamic segment where it has one, its JSON body, and for the list
 * an answer of a page's size), still no auth and no database.
 */
export const floorVariants: Endpoint[] = [
  { name: "GET /api/bench/floor?wrapped", task: false, request: () => ({ method: "GET", path: "/api/bench/floor?wrapped" }) },
  { name: "GET /api/bench/floor?items=50", task: false, floorOf: "GET /api/tasks?limit=50", request: () => ({ method: "GET", path: "/api/bench/floor?items=50" }) },
  { name: "GET /api/bench/floor/{id}", task: false, floorOf: "GET /api/tasks/{id}", request: (n) => ({ method: "GET", path: `/api/bench/floor/${n + 1}` }) },
  {
    name: "POST /api/bench/floor",
    task: false,
    floorOf: "POST /api/tasks",
    request: (n) => ({ method: "POST", path: "/api/bench/floor", headers: JSON_BODY, body: createBody(n) }),
  },
  {
    name: "PATCH /api/bench/floor/{id}",
    task: false,
    floorOf: "PATCH /api/tasks/{id}",
    request: (n) => ({ method: "PATCH", path: `/api/bench/floor/${n + 1}`, headers: JSON_BODY, body: patchBody(n) }),
  },
];

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

/**
 * Prepares a load (the connections' first requests, e.g. the ETags the If-Match writers start
 * from, outside what is measured) and returns the function that runs it.
 */
export async function prepareLoad(
  url: string,
  endpoint: Endpoint,
  { connections, durationS }: { connections: number; durationS: number },
): Promise<() => Promise<LoadResult>> {
  const prepared = await openConnections(url, endpoint, connections);
  return async () => {
    let opened = 0;
    const result = await autocannon({
      url,
      connections,
      duration: durationS,
      timeout: 10,
      // Requests are set per client (one per connection), not in the shared options: autocannon
      // resets its per-request context before every request, so only a client's own closure can
      // carry an answer (the ETag) into its next request.
      setupClient: (client) => {
        const connection = prepared[opened++ % prepared.length]!;
        client.setRequests([
          {
            setupRequest: (request) => {
              const spec = connection.next();
              return { ...request, method: spec.method, path: spec.path, headers: { ...request.headers, ...spec.headers }, body: spec.body ?? "" };
            },
            ...(connection.answered && { onResponse: (status, _body, _context, headers) => connection.answered!(status, headers ?? {}) }),
          },
        ]);
      },
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
  };
}

export async function runLoad(url: string, endpoint: Endpoint, options: { connections: number; durationS: number }): Promise<LoadResult> {
  return (await prepareLoad(url, endpoint, options))();
}

/** One connection, one request at a time, timed with hrtime: latency without queueing. */
export async function runSequential(url: string, endpoint: Endpoint, durationS: number): Promise<{ requests: number; p50: number; p99: number; non2xx: number }> {
  const [connection] = await openConnections(url, endpoint, 1);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const base = new URL(url);
  let non2xx = 0;
  const timed = await backToBack(durationS, async () => {
    const spec = connection!.next();
    const { status, headers } = await new Promise<{ status: number; headers: ResponseHeaders }>((resolve, reject) => {
      const request = http.request(
        { agent, host: base.hostname, port: base.port, method: spec.method, path: spec.path, headers: spec.headers },
        (response) => {
          response.on("data", () => {});
          response.on("end", () => resolve({ status: response.statusCode ?? 0, headers: response.headers }));
          response.on("error", reject);
        },
      );
      request.on("error", reject);
      request.end(spec.body);
    });
    connection!.answered?.(status, headers);
    if (status < 200 || status > 299) non2xx++;
  });
  agent.destroy();
  return { ...timed, non2xx };
}

/** Runs `once` back to back for `durationS` seconds: how many ran, and the p50 and p99 of their times in ms. */
export async function backToBack(durationS: number, once: () => Promise<void>): Promise<{ requests: number; p50: number; p99: number }> {
  const times: number[] = [];
  const deadline = performance.now() + durationS * 1000;
  while (performance.now() < deadline) {
    const started = performance.now();
    await once();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? 0;
  return { requests: times.length, p50: at(0.5), p99: at(0.99) };
}
