import { execFileSync } from "node:child_process";
import http from "node:http";
import net from "node:net";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signUp } from "@/tools/accounts";
import { startNextServer, type NextServer } from "@/tools/next-server";

// `npm start` (scripts/start.ts): server processes on one port, each drained on SIGTERM.
const databaseUrl = process.env.TEST_DATABASE_URL!;
const running: NextServer[] = [];
let locker: pg.Client;
beforeAll(async () => {
  locker = new pg.Client({ connectionString: databaseUrl });
  await locker.connect();
});
afterAll(async () => {
  await Promise.all(running.map((server) => server.stop("SIGKILL")));
  await locker.end();
});

/** The pids of a process's children whose command line contains `command`. */
const childrenOf = (pid: number, command: string) =>
  execFileSync("ps", ["-o", "pid=,args=", "--ppid", String(pid)], { encoding: "utf8" })
    .split("\n")
    .filter((line) => line.includes(command))
    .map((line) => Number.parseInt(line, 10));

/** Whether a process exists and is not a zombie (an orphan's may wait a while to be reaped). */
function alive(pid: number) {
  try {
    return !execFileSync("ps", ["-o", "stat=", "-p", String(pid)], { encoding: "utf8" }).startsWith("Z");
  } catch {
    return false; // ps exits 1 when there is no such process
  }
}

/** Whether nothing listens on the port: it can be bound again. */
const portFree = (port: number) =>
  new Promise<boolean>((resolve) => {
    const probe = net.createServer();
    probe.once("error", () => resolve(false));
    probe.listen(port, "127.0.0.1", () => probe.close(() => resolve(true)));
  });

/** Polls `check` every 50 ms until it holds; fails after `ms`. */
async function waitUntil(what: string, check: () => boolean | Promise<boolean>, ms = 10_000) {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not within ${ms} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function startServers(env: Record<string, string> = {}) {
  // Sign-ups from one address, across tests and reruns: more than the sign-up limit allows.
  const server = await startNextServer({ DATABASE_URL: databaseUrl, WEB_CONCURRENCY: "2", AUTH_RATE_LIMIT_ENABLED: "false", ...env }, { npmStart: true });
  running.push(server);
  // `npm start` execs node with tsx's loader in-process: the spawned pid is the primary. Its
  // children are the server processes, which Next names next-server, beside tsx's esbuild service.
  const primary = server.process.pid!;
  const workers = childrenOf(primary, "next-server");
  expect(workers).toHaveLength(2);
  return { server, primary, workers };
}

/** A PATCH held in flight, waiting for a row lock that another session holds until release(). */
async function patchBehindLock(url: string) {
  const { token } = await signUp(url);
  const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };
  const created = await fetch(`${url}/api/tasks`, { method: "POST", headers, body: JSON.stringify({ title: "locked" }) });
  expect(created.status).toBe(201);
  const { id } = (await created.json()) as { id: number };
  await locker.query("begin");
  await locker.query("select id from tasks where id = $1 for update", [id]);
  const inFlight = fetch(`${url}/api/tasks/${id}`, { method: "PATCH", headers, body: JSON.stringify({ completed: true }) });
  inFlight.catch(() => {}); // awaited by the test; not an unhandled rejection before that
  await waitUntil("the PATCH waits for the row lock", async () => {
    const { rows } = await locker.query("select 1 from pg_stat_activity where wait_event_type = 'Lock'");
    return rows.length > 0;
  });
  return { id, inFlight, release: () => locker.query("commit") };
}

describe("npm start", () => {
  it("serves from WEB_CONCURRENCY processes on one port and drains every one of them on SIGTERM, exiting 0", async () => {
    const { server } = await startServers();
    const answers = await Promise.all(Array.from({ length: 20 }, () => fetch(`${server.url}/api/health`)));
    expect(answers.map((answer) => answer.status)).toEqual(Array(20).fill(200));

    expect(await server.stop("SIGTERM")).toBe(0);
    expect(server.output().match(/shutdown: database closed/g)).toHaveLength(2);
  });

  it("keeps an idle connection 65 s, not Node's 5 s, and still stops at once on SIGTERM with one open", async () => {
    const { server } = await startServers();
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const health = () =>
      new Promise<{ status?: number; keepAlive?: string; reused: boolean }>((resolve, reject) => {
        const request = http.get(`${server.url}/api/health`, { agent }, (response) => {
          response.resume();
          response.on("end", () => resolve({ status: response.statusCode, keepAlive: response.headers["keep-alive"] as string | undefined, reused: request.reusedSocket }));
        });
        request.on("error", reject);
      });
    try {
      expect(await health()).toEqual({ status: 200, keepAlive: "timeout=65", reused: false });
      await new Promise((resolve) => setTimeout(resolve, 6_000));
      expect(await health()).toEqual({ status: 200, keepAlive: "timeout=65", reused: true });

      const stopping = performance.now();
      expect(await server.stop("SIGTERM")).toBe(0);
      expect(performance.now() - stopping).toBeLessThan(30_000);
    } finally {
      agent.destroy();
    }
  });

  it("when the primary is SIGKILLed, frees the port at once and lets every server process finish its request and exit", async () => {
    // The row lock, not the 5 s statement timeout, decides when the request ends.
    const { server, primary, workers } = await startServers({ DB_STATEMENT_TIMEOUT_MS: "60000" });
    const { id, inFlight, release } = await patchBehindLock(server.url);

    process.kill(primary, "SIGKILL");
    // The primary held the listening socket; the request's own connection belongs to its worker.
    await waitUntil("the port is free", () => portFree(Number(new URL(server.url).port)));
    await release();
    const answer = await inFlight;
    expect(answer.status).toBe(200);
    expect(await answer.json()).toMatchObject({ id, completed: true });
    await waitUntil("every server process exited", () => workers.every((pid) => !alive(pid)));
    expect(server.output().match(/shutdown: database closed/g)).toHaveLength(2);
  });

  it("when the process npm start runs (the pid a supervisor holds) is SIGKILLed, frees the port and every server process exits", async () => {
    const { server, workers } = await startServers();
    // No wrapper in between: this is the primary itself, which holds the listening socket.
    process.kill(server.process.pid!, "SIGKILL");
    await waitUntil("the port is free", () => portFree(Number(new URL(server.url).port)), 5_000);
    await waitUntil("every server process exited", () => workers.every((pid) => !alive(pid)), 5_000);
  });

  it("when npm itself is SIGKILLed (a supervisor running `npm start` holds npm's pid), stops as on SIGTERM", async () => {
    const server = await startNextServer({ DATABASE_URL: databaseUrl, WEB_CONCURRENCY: "2" }, { npmStart: "npm" });
    running.push(server);
    const npm = server.process.pid!;
    const [primary] = childrenOf(npm, "scripts/start.ts");
    const workers = childrenOf(primary!, "next-server");
    expect(workers).toHaveLength(2);

    process.kill(npm, "SIGKILL");
    await waitUntil("the port is free", () => portFree(Number(new URL(server.url).port)));
    await waitUntil("the primary and every server process exited", () => [primary!, ...workers].every((pid) => !alive(pid)));
    expect(server.output().match(/shutdown: database closed/g)).toHaveLength(2);
  });

  it("SIGKILLs a server process that does not exit within the grace period after SIGTERM, and exits 1", async () => {
    // Grace period: the drain timeout plus start.ts's 5 s margin.
    const { server, workers } = await startServers({ SHUTDOWN_DRAIN_TIMEOUT_MS: "100" });
    const [stuck, healthy] = workers as [number, number];
    // A stopped process cannot run its SIGTERM handler, as one hung in its drain would not
    // finish it; SIGKILL still ends it.
    process.kill(stuck, "SIGSTOP");
    const started = performance.now();
    expect(await server.stop("SIGTERM")).toBe(1);
    expect(performance.now() - started).toBeGreaterThan(5_000);
    expect(alive(stuck)).toBe(false);
    expect(alive(healthy)).toBe(false);
    expect(server.output()).toContain("still running after the shutdown grace period; killing them");
    expect(server.output()).toContain(`"pids":[${stuck}]`);
    expect(server.output().match(/shutdown: database closed/g)).toHaveLength(1);
  });

  it("a server process left by a SIGKILLed primary and stuck in its drain exits after the grace period all the same", async () => {
    const { server, primary, workers } = await startServers({ SHUTDOWN_DRAIN_TIMEOUT_MS: "100", DB_STATEMENT_TIMEOUT_MS: "60000" });
    const { inFlight, release } = await patchBehindLock(server.url);
    try {
      process.kill(primary, "SIGKILL");
      const started = performance.now();
      // Its request waits on the lock for a minute; the process does not wait for it past the grace period.
      await expect(inFlight).rejects.toThrow();
      await waitUntil("every server process exited", () => workers.every((pid) => !alive(pid)));
      expect(performance.now() - started).toBeGreaterThan(5_000);
    } finally {
      await release();
    }
    expect(server.output()).toContain("shutdown: requests still running after the drain timeout");
  });

  it("refuses more than one process on PGlite, naming WEB_CONCURRENCY", async () => {
    const failure = await startNextServer({ DATABASE_URL: "pglite:memory", WEB_CONCURRENCY: "2" }, { npmStart: true }).then(
      (server) => {
        running.push(server);
        return "started";
      },
      (error: Error) => error.message,
    );
    expect(failure).toMatch(/exited with 1[\s\S]*WEB_CONCURRENCY: 2, but PGlite/);
  });
});
