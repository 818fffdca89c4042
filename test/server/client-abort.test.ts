import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signUp as signUpOver } from "@/tools/accounts";
import { startNextServer, type NextServer } from "@/tools/next-server";

// Issue #14: a client that goes away in the middle of sending its body is not a database
// outage. Node fails the body with ECONNRESET ("aborted"), which the database fault mapping
// used to take for a reset database socket: 503 DATABASE_UNAVAILABLE and an error-level
// "database unavailable" line for every impatient client. Over real HTTP against `next start`,
// on PGlite always and on node-postgres when TEST_DATABASE_URL is set.
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "task-api-client-abort-"));
const drivers: [string, Record<string, string>][] = [["pglite", { DATABASE_URL: `pglite:${dataDir}/db` }]];
if (process.env.TEST_DATABASE_URL) drivers.push(["pg", { DATABASE_URL: process.env.TEST_DATABASE_URL, DATABASE_DRIVER: "pg" }]);

// Sign-up limits are kept in the database, which on PostgreSQL outlives one run.
const NO_LIMITS = { AUTH_RATE_LIMIT_ENABLED: "false", RATE_LIMIT_UNAUTHENTICATED_MAX: "1000000" };
const servers: Record<string, NextServer> = {};

beforeAll(async () => {
  for (const [driver, env] of drivers) servers[driver] = await startNextServer({ ...env, ...NO_LIMITS, LOG_LEVEL: "info" });
});

afterAll(async () => {
  await Promise.all(Object.values(servers).map((server) => server.stop()));
  fs.rmSync(dataDir, { recursive: true, force: true });
});

interface LogLine {
  level?: string;
  message?: string;
  request_id?: string;
  status?: number;
}

function logLines(output: string): LogLine[] {
  return output.split("\n").flatMap((line) => {
    try {
      return [JSON.parse(line) as LogLine];
    } catch {
      return [];
    }
  });
}

/**
 * Sends the head of a POST that declares 100 bytes of body, then 10 of them, then goes away
 * (a TCP reset, or an ordinary close) while the server is waiting for the rest.
 */
function abandonBody(url: string, token: string, requestId: string, how: "reset" | "close") {
  const { hostname, port } = new URL(url);
  return new Promise<string>((resolve, reject) => {
    let received = "";
    const socket = net.connect(Number(port), hostname, () => {
      socket.write(
        `POST /api/tasks HTTP/1.1\r\nHost: ${hostname}:${port}\r\nAuthorization: Bearer ${token}\r\n` +
          `X-Request-Id: ${requestId}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n` +
          `{"title":"`,
      );
      // Long enough for the server to authenticate and start reading the body.
      setTimeout(() => (how === "reset" ? socket.resetAndDestroy() : socket.destroy()), 500);
    });
    socket.on("data", (chunk) => (received += chunk));
    socket.on("error", () => {}); // our own reset
    socket.on("close", () => resolve(received));
    socket.setTimeout(10_000, () => reject(new Error("socket never closed")));
  });
}

async function requestLine(server: NextServer, requestId: string): Promise<LogLine> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const line = logLines(server.output()).find((entry) => entry.message === "request" && entry.request_id === requestId);
    if (line) return line;
    if (Date.now() > deadline) throw new Error(`no request log line for ${requestId}:\n${server.output().slice(-3000)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe.each(drivers.map(([driver]) => driver))("a client that drops the connection mid-body (%s)", (driver) => {
  it.each(["reset", "close"] as const)("is no database outage and no error (socket %s)", async (how) => {
    const server = servers[driver]!;
    const { token } = await signUpOver(server.url);
    const auth = { authorization: `Bearer ${token}` };
    const before = server.output().length;
    const requestId = `abort-${how}-${crypto.randomUUID()}`;

    const received = await abandonBody(server.url, token, requestId, how);
    expect(received).toBe(""); // nothing was answered before the client left

    const line = await requestLine(server, requestId);
    expect(line.status, JSON.stringify(line)).not.toBe(503);
    expect(line.status).toBeGreaterThanOrEqual(400);
    expect(line.status).toBeLessThan(500);
    const since = server.output().slice(before);
    expect(since).not.toMatch(/database unavailable/i);
    const errors = logLines(since).filter((entry) => entry.level === "error");
    expect(errors, JSON.stringify(errors)).toEqual([]);

    // The server is fine and still serves the same user, reads and writes.
    expect((await fetch(`${server.url}/api/health`)).status).toBe(200);
    expect((await fetch(`${server.url}/api/tasks`, { headers: auth })).status).toBe(200);
    const created = await fetch(`${server.url}/api/tasks`, {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify({ title: "after an aborted upload" }),
    });
    expect(created.status).toBe(201);
  });
});
