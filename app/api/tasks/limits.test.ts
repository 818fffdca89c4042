import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { requestCounters } from "@/lib/db/schema";
import { api, expectError, signUp, type TestUser } from "@/test/api";

// Low limits for this file. A one-day window keeps a window boundary out of the test run, and
// every test uses its own users and client IPs, since the pg and neon projects share a database.
process.env.RATE_LIMIT_WRITES_MAX = "3";
process.env.RATE_LIMIT_UNAUTHENTICATED_MAX = "2";
process.env.RATE_LIMIT_WINDOW_S = "86400";

const randomIp = () => `198.51.100.${Math.floor(Math.random() * 250) + 1}, 10.0.0.${Math.floor(Math.random() * 250)}`;

function expectRateLimited(response: Awaited<ReturnType<typeof api>>, limit: number) {
  expectError(response, 429, "RATE_LIMITED");
  expect(Number(response.headers.get("retry-after"))).toBeGreaterThan(0);
  expect(response.headers.get("x-ratelimit-limit")).toBe(String(limit));
  expect(response.headers.get("x-ratelimit-remaining")).toBe("0");
  expect(Number(response.headers.get("x-ratelimit-reset"))).toBeGreaterThan(Date.now() / 1000);
}

describe("per-user limit on task writes", () => {
  let user: TestUser;
  beforeAll(async () => {
    user = await signUp();
  });

  it("allows the configured number of writes, then answers 429 with Retry-After, and writes nothing", async () => {
    const remaining: (string | null)[] = [];
    for (let i = 0; i < 3; i++) {
      const response = await api("POST", "/api/tasks", { token: user.token, json: { title: `write ${i}` } });
      expect(response.status).toBe(201);
      remaining.push(response.headers.get("x-ratelimit-remaining"));
    }
    expect(remaining).toEqual(["2", "1", "0"]);
    expectRateLimited(await api("POST", "/api/tasks", { token: user.token, json: { title: "one too many" } }), 3);
    expectRateLimited(await api("DELETE", "/api/tasks/1", { token: user.token }), 3);

    const list = await api("GET", "/api/tasks", { token: user.token });
    expect(list.status).toBe(200);
    expect(list.body.items).toHaveLength(3);
  });

  it("keeps its state in PostgreSQL, not in the process", async () => {
    const [counter] = await (await db()).select().from(requestCounters).where(eq(requestCounters.key, `user:${user.id}`));
    expect(counter?.count).toBeGreaterThanOrEqual(4);
  });

  it("is per user: another user still writes", async () => {
    const other = await signUp();
    expect((await api("POST", "/api/tasks", { token: other.token, json: { title: "mine" } })).status).toBe(201);
  });

  it("holds under concurrent writes: exactly the limit succeed", async () => {
    const racer = await signUp();
    const responses = await Promise.all(
      Array.from({ length: 8 }, (_, i) => api("POST", "/api/tasks", { token: racer.token, json: { title: `race ${i}` } })),
    );
    expect(responses.filter((response) => response.status === 201)).toHaveLength(3);
    expect(responses.filter((response) => response.status === 429)).toHaveLength(5);
  });
});

describe("per-IP limit on unauthenticated requests", () => {
  it("answers 401 up to the limit, then 429, per client IP", async () => {
    const ip = randomIp();
    const headers = { "x-forwarded-for": ip };
    expectError(await api("GET", "/api/tasks", { headers }), 401, "UNAUTHORIZED");
    expectError(await api("GET", "/api/tasks", { headers, token: "x".repeat(32) }), 401, "UNAUTHORIZED");
    expectRateLimited(await api("GET", "/api/tasks", { headers }), 2);

    const elsewhere = { "x-forwarded-for": `203.0.113.${Math.floor(Math.random() * 250) + 1}` };
    expectError(await api("GET", "/api/tasks", { headers: elsewhere }), 401, "UNAUTHORIZED");
  });

  it("does not count authenticated requests", async () => {
    const user = await signUp();
    const headers = { "x-forwarded-for": randomIp() };
    for (let i = 0; i < 4; i++) expect((await api("GET", "/api/tasks", { headers, token: user.token })).status).toBe(200);
  });
});
