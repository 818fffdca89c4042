import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DRAIN_MAX_BYTES, DRAIN_MAX_MS, MAX_BODY_BYTES } from "@/lib/http/body";
import { signUp as signUpOver } from "@/tools/accounts";
import { startNextServer, type NextServer } from "@/tools/next-server";

// Issue #14: after the server refuses a body over 64 KiB, the client's next request must not
// land on a dead socket. The refused body used to be cancelled, which destroyed the socket
// right after a 413 that said keep-alive; Node's fetch (undici, keep-alive) then sent its next
// request on it and failed with ECONNRESET. Now the connection is either kept (the rest of the
// body is read and discarded, within a bound) or announced closed (`Connection: close`).
// Against `next start`, on PGlite always and on node-postgres when TEST_DATABASE_URL is set.
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "task-api-refused-body-"));
const drivers: [string, Record<string, string>][] = [["pglite", { DATABASE_URL: `pglite:${dataDir}/db` }]];
if (process.env.TEST_DATABASE_URL) drivers.push(["pg", { DATABASE_URL: process.env.TEST_DATABASE_URL, DATABASE_DRIVER: "pg" }]);

// Sign-up limits are kept in the database, which on PostgreSQL outlives one run.
const NO_LIMITS = { AUTH_RATE_LIMIT_ENABLED: "false", RATE_LIMIT_UNAUTHENTICATED_MAX: "1000000" };
const servers: Record<string, NextServer> = {};

beforeAll(async () => {
  for (const [driver, env] of drivers) servers[driver] = await startNextServer({ ...env, ...NO_LIMITS });
});

afterAll(async () => {
  await Promise.all(Object.values(servers).map((server) => server.stop()));
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const KiB = 1024;

/** A body of `size` bytes as a stream, which fetch sends chunked, without Content-Length. */
function streamed(size: number, { stallAfter = false } = {}): ReadableStream<Uint8Array> {
  let left = size;
  return new ReadableStream({
    pull(controller) {
      if (left <= 0) {
        if (!stallAfter) controller.close();
        return; // a stalled client: neither more data nor the end of the body
      }
      const chunk = Math.min(16 * KiB, left);
      left -= chunk;
      controller.enqueue(new Uint8Array(chunk).fill(0x20));
    },
  });
}

const errorCode = (error: unknown) => {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? String(error);
};

// Past the drain bound the server answers 413 with `Connection: close` and Node closes the
// socket while the client may still be sending; Node's http server has no lingering close, so
// the client can see that reset (EPIPE, ECONNRESET) before it reads the answer. That is a
// closed connection, which a client does not reuse: allowed. A dead connection kept in the
// pool is not, and neither is a lost 413 for a body within the bound.
const CLOSED = /^(EPIPE|ECONNRESET|UND_ERR_SOCKET)$/;
const beyondDrainBound = (size: number) => size - MAX_BODY_BYTES > DRAIN_MAX_BYTES;

// Just over the limit, well over it (still drained), and far past the drain bound (closed).
const SIZES = [80 * KiB, 400 * KiB, MAX_BODY_BYTES + DRAIN_MAX_BYTES + 2 * 1024 * KiB];

describe.each(drivers.map(([driver]) => driver))("a refused oversized body (%s)", (driver) => {
  let auth: Record<string, string>;
  beforeAll(async () => {
    auth = { authorization: `Bearer ${(await signUpOver(servers[driver]!.url)).token}` };
  });

  const post = (size: number, options?: { stallAfter?: boolean }) =>
    fetch(`${servers[driver]!.url}/api/tasks`, {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: streamed(size, options),
      duplex: "half",
      signal: AbortSignal.timeout(15_000),
    } as RequestInit);

  it("never leaves the next request on a dead connection (20 rounds, chunked, Node's fetch)", { timeout: 120_000 }, async () => {
    const { url } = servers[driver]!;
    const failures: string[] = [];
    for (let round = 0; round < 20; round++) {
      const size = SIZES[round % SIZES.length]!;
      let connection: string | null = "(no answer)";
      try {
        const refused = await post(size);
        connection = refused.headers.get("connection");
        expect(refused.status, `round ${round}, ${size} bytes`).toBe(413);
        expect(await refused.json()).toMatchObject({ error_code: "PAYLOAD_TOO_LARGE" });
        expect(connection, `round ${round}, ${size} bytes`).toBe(beyondDrainBound(size) ? "close" : "keep-alive");
      } catch (error) {
        if (!beyondDrainBound(size) || !CLOSED.test(errorCode(error))) throw error;
      }
      try {
        const next = await fetch(`${url}/api/tasks`, { headers: auth, signal: AbortSignal.timeout(15_000) });
        expect(next.status).toBe(200);
        await next.arrayBuffer();
      } catch (error) {
        failures.push(`round ${round} (${size} bytes, connection: ${connection}): ${errorCode(error)}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it("answers a stalled oversized upload with 413 and Connection: close once the drain time is up", async () => {
    const started = performance.now();
    const refused = await post(MAX_BODY_BYTES + 100 * KiB, { stallAfter: true });
    expect(refused.status).toBe(413);
    expect(refused.headers.get("connection")).toBe("close");
    expect(performance.now() - started).toBeGreaterThanOrEqual(DRAIN_MAX_MS - 100);
    await refused.arrayBuffer();
    expect((await fetch(`${servers[driver]!.url}/api/tasks`, { headers: auth })).status).toBe(200);
  });

  it("also for a refused sign-up body (Better Auth's route) and a declared Content-Length", async () => {
    const { url } = servers[driver]!;
    for (let round = 0; round < 6; round++) {
      const declared = round % 2 === 1;
      const size = 200 * KiB;
      const refused = await fetch(`${url}/api/auth/sign-up/email`, {
        method: "POST",
        headers: { "content-type": "application/json", origin: url },
        body: declared ? new Uint8Array(size).fill(0x20) : streamed(size),
        duplex: "half",
      } as RequestInit);
      expect(refused.status, `round ${round}`).toBe(413);
      expect(refused.headers.get("connection"), `round ${round}`).toBe("keep-alive");
      await refused.arrayBuffer();
      expect((await fetch(`${url}/api/health`)).status, `round ${round}`).toBe(200);
    }
  });
});
