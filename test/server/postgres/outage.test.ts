import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signUp as signUpOver } from "@/tools/accounts";
import { startWsProxy, type WsProxy } from "@/tools/neon-wsproxy";
import { startNextServer, type NextServer } from "@/tools/next-server";
import { startTcpProxy, type TcpProxy } from "@/tools/tcp-proxy";

// Takes the database away from a running server and gives it back: every database-backed route
// answers 503 DATABASE_UNAVAILABLE quickly while it is gone, and recovers with no restart.
const databaseUrl = new URL(process.env.TEST_DATABASE_URL!);

let tcp: TcpProxy;
let ws: WsProxy;
const servers: Record<string, NextServer> = {};

beforeAll(async () => {
  tcp = await startTcpProxy(databaseUrl.hostname, Number(databaseUrl.port || 5432));
  ws = await startWsProxy();
  const viaProxy = new URL(databaseUrl);
  viaProxy.hostname = "127.0.0.1";
  viaProxy.port = String(tcp.port);
  const [pg, neon] = await Promise.all([
    startNextServer({ DATABASE_URL: viaProxy.href, DATABASE_DRIVER: "pg" }),
    startNextServer({ DATABASE_URL: viaProxy.href, DATABASE_DRIVER: "neon", NEON_WS_PROXY: ws.address }),
  ]);
  servers.pg = pg;
  servers.neon = neon;
});

afterAll(async () => {
  await Promise.all(Object.values(servers).map((server) => server.stop()));
  await ws?.close();
  await tcp?.close();
});

async function timed(url: string, init?: RequestInit) {
  const started = performance.now();
  const response = await fetch(url, init);
  const body = await response.json();
  return { response, body, ms: performance.now() - started };
}

async function waitForHealthy(url: string) {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if ((await fetch(`${url}/api/health`)).status === 200) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${url} did not recover within 15 s`);
}

describe.each(["pg", "neon"])("database outage on the %s driver", (driver) => {
  it("answers 503 quickly while the database is gone and recovers without a restart", async () => {
    const server = servers[driver]!;
    const { token } = await signUpOver(server.url);
    const auth = { authorization: `Bearer ${token}` };
    expect((await fetch(`${server.url}/api/tasks`, { headers: auth })).status).toBe(200);

    await tcp.stop();
    try {
      for (const path of ["/api/health", "/api/tasks"]) {
        const { response, body, ms } = await timed(`${server.url}${path}`, { headers: auth });
        expect(response.status, `${path}: ${JSON.stringify(body)}`).toBe(503);
        expect(body).toMatchObject({ error_code: "DATABASE_UNAVAILABLE" });
        expect(response.headers.get("retry-after")).toMatch(/^\d+$/);
        expect(ms).toBeLessThan(2500);
      }
      const write = await timed(`${server.url}/api/tasks`, {
        method: "POST",
        headers: { ...auth, "content-type": "application/json" },
        body: JSON.stringify({ title: "while down" }),
      });
      expect(write.response.status).toBe(503);
    } finally {
      await tcp.start();
    }

    await waitForHealthy(server.url);
    const created = await fetch(`${server.url}/api/tasks`, {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify({ title: "after recovery" }),
    });
    expect(created.status).toBe(201);
  });
});
