import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signUp } from "@/tools/accounts";
import { freePort, startNextServer, type NextServer } from "@/tools/next-server";
import { BACKEND_HEADER, startRoundRobinProxy, type RoundRobinProxy } from "@/tools/round-robin-proxy";

// Two `next start` processes on one PostgreSQL database (migrated once, by the global setup),
// behind a proxy that sends each request to the other instance in turn. Sessions, write counters
// and idempotency keys live in the database, so the instance a request reaches, and whether the
// other one is restarting, makes no difference to the client.
const WRITE_LIMIT = 20;
const env = {
  DATABASE_URL: process.env.TEST_DATABASE_URL!,
  DATABASE_DRIVER: "pg",
  LOG_LEVEL: "warn",
  // Many sign-ups from one address, and some 401s: the per-IP limits are tested elsewhere.
  AUTH_RATE_LIMIT_ENABLED: "false",
  RATE_LIMIT_UNAUTHENTICATED_MAX: "1000000",
  RATE_LIMIT_WRITES_MAX: String(WRITE_LIMIT),
  // A day-long window, so that no count starts again in the middle of the test.
  RATE_LIMIT_WINDOW_S: "86400",
};

const NAMES = ["A", "B"];
// Fixed ports: a restarted instance comes back where the proxy sends its share.
const ports: number[] = [];
const instances: NextServer[] = [];
let proxy: RoundRobinProxy;

beforeAll(async () => {
  while (ports.length < NAMES.length) ports.push(await freePort());
  instances.push(...(await Promise.all(ports.map((port) => startNextServer(env, { port })))));
  proxy = await startRoundRobinProxy(instances.map((instance) => instance.url));
});

afterAll(async () => {
  await proxy?.close();
  await Promise.all(instances.map((instance) => instance.stop("SIGKILL")));
});

interface Answer {
  status: number;
  /** The instance that answered (its URL). */
  backend: string;
  headers: Headers;
  text: string;
  body: any;
}

/** A request through the proxy, over `transport` (Node's fetch unless given). */
async function send(
  method: string,
  path: string,
  { headers = {}, json }: { headers?: Record<string, string>; json?: unknown } = {},
  transport: typeof fetch = fetch,
): Promise<Answer> {
  const response = await transport(proxy.url + path, {
    method,
    headers: json === undefined ? headers : { ...headers, "content-type": "application/json" },
    body: json === undefined ? undefined : JSON.stringify(json),
  });
  const text = await response.text();
  const body = response.headers.get("content-type")?.includes("json") && text ? JSON.parse(text) : text;
  return { status: response.status, backend: response.headers.get(BACKEND_HEADER)!, headers: response.headers, text, body };
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const byNumber = (a: number, b: number) => a - b;

// These send one request at a time, so consecutive requests reach different instances; each
// test checks the X-Backend it relies on.
describe("two instances behind a round-robin proxy", () => {
  it("a sign-out through one instance revokes the session on the other at once", async () => {
    const { token } = await signUp(proxy.url);
    const reads = [await send("GET", "/api/tasks", { headers: bearer(token) }), await send("GET", "/api/tasks", { headers: bearer(token) })];
    expect(reads.map((read) => read.status)).toEqual([200, 200]);
    expect(reads.map((read) => read.backend).toSorted()).toEqual(instances.map((instance) => instance.url).toSorted());

    const signOut = await send("POST", "/api/auth/sign-out", { headers: bearer(token) });
    expect(signOut.status, signOut.text).toBe(200);
    const next = await send("GET", "/api/tasks", { headers: bearer(token) });
    expect(next.backend).not.toBe(signOut.backend);
    expect(next.status).toBe(401);
    expect(next.body.error_code).toBe("UNAUTHORIZED");
  });

  it("counts writes spread over both instances against one limit", async () => {
    const { token } = await signUp(proxy.url);
    const writes: Answer[] = [];
    for (let i = 0; i < WRITE_LIMIT + 2; i++) writes.push(await send("POST", "/api/tasks", { headers: bearer(token), json: { title: `write ${i}` } }));

    expect(writes.map((write) => write.status)).toEqual([...Array(WRITE_LIMIT).fill(201), 429, 429]);
    const remaining = Array.from({ length: WRITE_LIMIT }, (_, i) => String(WRITE_LIMIT - 1 - i));
    expect(writes.map((write) => write.headers.get("x-ratelimit-remaining"))).toEqual([...remaining, "0", "0"]);
    // Each instance took half of the writes, so each alone stayed far below the limit, and
    // each refused one.
    for (const { url } of instances) {
      expect(writes.filter((write) => write.backend === url).map((write) => write.status)).toEqual([...Array(WRITE_LIMIT / 2).fill(201), 429]);
    }
    const listed = await send("GET", "/api/tasks?limit=100", { headers: bearer(token) });
    expect(listed.body.items).toHaveLength(WRITE_LIMIT);
  });

  it("replays an idempotent create whose retry lands on the other instance", async () => {
    const { token } = await signUp(proxy.url);
    const create = () =>
      send("POST", "/api/tasks", { headers: { ...bearer(token), "idempotency-key": "retried-elsewhere" }, json: { title: "created once" } });
    const first = await create();
    const retry = await create();

    expect(first.status, first.text).toBe(201);
    expect(first.headers.get("idempotent-replayed")).toBeNull();
    expect(retry.backend).not.toBe(first.backend);
    expect(retry.status, retry.text).toBe(201);
    expect(retry.headers.get("idempotent-replayed")).toBe("true");
    expect(retry.text).toBe(first.text);
    expect(retry.headers.get("location")).toBe(first.headers.get("location"));
    const listed = await send("GET", "/api/tasks", { headers: bearer(token) });
    expect(listed.body.items).toEqual([first.body]);
  });
});

// The rolling restart's traffic: workers that each sign up, create tasks (each with its own
// Idempotency-Key, sent again with that key after a failed connection or a 503) and read every
// created task back, until stopped. An account makes at most WRITE_LIMIT writes, retries
// included; then its worker signs up another.
const WORKERS = 4;
const MAX_ATTEMPTS = 5;
const RETRY_DELAY_MS = 50;

interface LoadAccount {
  token: string;
  writes: number;
  /** The ids of the tasks whose create was answered 201. */
  acknowledged: number[];
}

interface Outcome {
  request: string;
  status: number | "no answer";
  backend?: string;
  /** What the rolling restart was doing when the request ended. */
  phase: string;
}

/** A request that ended without an answer: the connection was refused or dropped. */
class NoAnswer extends Error {}

function startLoad() {
  const outcomes: Outcome[] = [];
  const accounts: LoadAccount[] = [];
  const state = { phase: "before", running: true, replays: 0 };

  // Node's fetch, recording how every request ended; an answer cut short is no answer.
  const recorded: typeof fetch = async (input, init) => {
    const request = `${init?.method ?? "GET"} ${new URL(String(input)).pathname}`;
    try {
      const response = await fetch(input, init);
      const body = await response.text();
      outcomes.push({ request, status: response.status, backend: response.headers.get(BACKEND_HEADER) ?? undefined, phase: state.phase });
      return new Response(body, response);
    } catch (error) {
      outcomes.push({ request, status: "no answer", phase: state.phase });
      throw new NoAnswer(request, { cause: error });
    }
  };

  /** Runs `attempt` until it returns a value (undefined: try again); a request left without an answer is a failed try too. */
  async function retried<T>(what: string, attempt: () => Promise<T | undefined>): Promise<T> {
    for (let i = 0; i < MAX_ATTEMPTS; i++) {
      const result = await attempt().catch((error: unknown) => {
        if (!(error instanceof NoAnswer)) throw error;
      });
      if (result !== undefined) return result;
      await sleep(RETRY_DELAY_MS);
    }
    throw new Error(`${what} failed ${MAX_ATTEMPTS} times`);
  }

  async function newAccount(): Promise<LoadAccount> {
    const { token } = await retried("sign-up", () => signUp(proxy.url, { fetch: recorded }));
    const account = { token, writes: 0, acknowledged: [] };
    accounts.push(account);
    return account;
  }

  async function create(account: LoadAccount): Promise<number> {
    const key = randomUUID();
    const headers = { ...bearer(account.token), "idempotency-key": key };
    return retried(`create ${key}`, async () => {
      account.writes++;
      const answer = await send("POST", "/api/tasks", { headers, json: { title: key } }, recorded);
      if (answer.status === 503) return undefined;
      if (answer.status !== 201) throw new Error(`create ${key}: ${answer.status} ${answer.text}`);
      if (answer.headers.get("idempotent-replayed") === "true") state.replays++;
      account.acknowledged.push(answer.body.id);
      return answer.body.id as number;
    });
  }

  async function worker() {
    let account = await newAccount();
    while (state.running) {
      if (account.writes + MAX_ATTEMPTS > WRITE_LIMIT) account = await newAccount();
      const id = await create(account);
      await send("GET", `/api/tasks/${id}`, { headers: bearer(account.token) }, recorded).catch((error: unknown) => {
        if (!(error instanceof NoAnswer)) throw error;
      });
    }
  }

  const workers = Promise.all(Array.from({ length: WORKERS }, worker));
  return {
    outcomes,
    accounts,
    state,
    /** Waits until `count` more requests have ended (fails at once if a worker failed). */
    async ended(count: number) {
      const target = outcomes.length + count;
      const reached = (async () => {
        while (outcomes.length < target) await sleep(10);
      })();
      await Promise.race([reached, workers]);
    },
    async stop() {
      state.running = false;
      await workers;
    },
  };
}

describe("a rolling restart under steady traffic", () => {
  it("answers no 5xx, and every acknowledged create exists exactly once", async () => {
    const load = startLoad();
    // Steady traffic before, between and after the restarts, however fast this machine is.
    const STEADY = 20;
    try {
      await load.ended(STEADY);
      for (const [index, name] of NAMES.entries()) {
        load.state.phase = `${name} restarting`;
        expect(await instances[index]!.stop("SIGTERM"), instances[index]!.output()).toBe(0);
        instances[index] = await startNextServer(env, { port: ports[index] });
        load.state.phase = `${name} back`;
        await load.ended(STEADY);
      }
    } finally {
      await load.stop();
    }

    const { outcomes, accounts } = load;
    const count = (pick: (outcome: Outcome) => boolean) => outcomes.filter(pick).length;
    const restarts = NAMES.map((name, index) => {
      const url = instances[index]!.url;
      return {
        name,
        ended: count((o) => o.phase === `${name} restarting`),
        acknowledged: count((o) => o.phase === `${name} restarting` && o.status === 201),
        // Answered by the stopping instance itself: in flight when it got SIGTERM.
        drained: count((o) => o.phase === `${name} restarting` && o.backend === url),
        answeredOnceBack: count((o) => o.phase === `${name} back` && o.backend === url),
      };
    });
    console.log(
      `rolling restart: ${outcomes.length} requests, ${count((o) => o.status === 201)} creates acknowledged (${load.state.replays} replays), ` +
        `${count((o) => o.status === "no answer")} without an answer, ${accounts.length} accounts; ` +
        restarts.map((restart) => `${restart.ended} while ${restart.name} restarted (${restart.drained} drained by ${restart.name})`).join(", "),
    );
    // No 5xx, and nothing else but the creates' 201s and the reads' 200s.
    expect(outcomes.filter((outcome) => outcome.status !== 200 && outcome.status !== 201 && outcome.status !== "no answer")).toEqual([]);
    // Creates went on while each instance was away, and each took its share again once back.
    for (const restart of restarts) {
      expect(restart.acknowledged, restart.name).toBeGreaterThan(0);
      expect(restart.answeredOnceBack, restart.name).toBeGreaterThan(0);
    }

    // Each account holds exactly its acknowledged tasks: none lost, none created twice by a retry.
    for (const account of accounts) {
      const listed = await send("GET", "/api/tasks?limit=100", { headers: bearer(account.token) });
      const ids = listed.body.items.map((task: { id: number }) => task.id);
      expect(ids.toSorted(byNumber)).toEqual(account.acknowledged.toSorted(byNumber));
    }
  });
});
