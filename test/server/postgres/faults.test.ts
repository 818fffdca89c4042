import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signUp as signUpOver } from "@/tools/accounts";
import { startNextServer, type NextServer } from "@/tools/next-server";

// Faults that only a real PostgreSQL and a real server process show: a hung database (row
// lock held by another session), an exhausted pool, kill -9, and a graceful SIGTERM.
const databaseUrl = process.env.TEST_DATABASE_URL!;
const running: NextServer[] = [];
let locker: pg.Client;

async function start(env: Record<string, string> = {}) {
  const server = await startNextServer({ DATABASE_URL: databaseUrl, DATABASE_DRIVER: "pg", ...env });
  running.push(server);
  return server;
}

async function createTask(server: NextServer, token: string, title = "locked") {
  const response = await fetch(`${server.url}/api/tasks`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({ title }),
  });
  expect(response.status).toBe(201);
  return ((await response.json()) as { id: number }).id;
}

function patch(server: NextServer, token: string, id: number) {
  const started = performance.now();
  return fetch(`${server.url}/api/tasks/${id}`, {
    method: "PATCH",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({ completed: true }),
  }).then(async (response) => ({ response, body: await response.json(), ms: performance.now() - started }));
}

/** Holds a row lock on the task from another session until the returned function is called. */
async function lockTask(id: number) {
  await locker.query("begin");
  await locker.query("select id from tasks where id = $1 for update", [id]);
  return () => locker.query("commit");
}

beforeAll(async () => {
  locker = new pg.Client({ connectionString: databaseUrl });
  await locker.connect();
});

afterAll(async () => {
  await Promise.all(running.map((server) => server.stop("SIGKILL")));
  await locker.end();
});

describe("slow database and exhausted pool", () => {
  it("turn a hung query and a saturated pool into fast 503s, then recover", async () => {
    const server = await start({ DB_POOL_MAX: "2", DB_STATEMENT_TIMEOUT_MS: "1500", DB_POOL_ACQUIRE_TIMEOUT_MS: "400" });
    const { token } = await signUpOver(server.url);
    const id = await createTask(server, token);
    const release = await lockTask(id);
    try {
      const hung = [patch(server, token, id), patch(server, token, id)];
      await new Promise((resolve) => setTimeout(resolve, 200));
      // Both connections are stuck behind the lock: more requests than the pool holds.
      const queued = await Promise.all(
        Array.from({ length: 6 }, async () => {
          const started = performance.now();
          const response = await fetch(`${server.url}/api/tasks`, { headers: { authorization: `Bearer ${token}` } });
          return { response, body: (await response.json()) as { error_code?: string }, ms: performance.now() - started };
        }),
      );
      for (const { response, body, ms } of queued) {
        expect(response.status).toBe(503);
        expect(body.error_code).toBe("DATABASE_UNAVAILABLE");
        expect(response.headers.get("retry-after")).toBeTruthy();
        expect(ms).toBeLessThan(1400);
      }
      for (const { response, body, ms } of await Promise.all(hung)) {
        expect(response.status).toBe(503);
        expect(body.error_code).toBe("DATABASE_UNAVAILABLE");
        expect(ms).toBeLessThan(3000);
      }
    } finally {
      await release();
    }
    const after = await patch(server, token, id);
    expect(after.response.status).toBe(200);
    expect(after.body).toMatchObject({ id, completed: true });
  });
});

describe("process faults", () => {
  it("keeps a task that got its 201 across kill -9 and a restart", async () => {
    const first = await start();
    const { token } = await signUpOver(first.url);
    const id = await createTask(first, token, "acknowledged");
    await first.stop("SIGKILL");
    const second = await start();
    const response = await fetch(`${second.url}/api/tasks/${id}`, { headers: { authorization: `Bearer ${token}` } });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ id, title: "acknowledged" });
  });

  it("on SIGTERM stops accepting, finishes the request in flight, closes the pool and exits 0", async () => {
    const server = await start();
    const { token } = await signUpOver(server.url);
    const id = await createTask(server, token);
    const release = await lockTask(id);
    const inFlight = patch(server, token, id);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const exited = server.stop("SIGTERM");
    await new Promise((resolve) => setTimeout(resolve, 500));
    await expect(fetch(`${server.url}/api/health`)).rejects.toThrow();
    await release();
    const { response, body } = await inFlight;
    expect(response.status).toBe(200);
    expect(body).toMatchObject({ id, completed: true });
    expect(await exited).toBe(0);
    expect(server.output()).toContain("shutdown: database closed");
  });
});
