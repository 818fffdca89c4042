import { beforeAll, describe, expect, it } from "vitest";
import { api, expectError } from "@/test/api";

// Better Auth's limiter on sign-in and sign-up, stored in PostgreSQL (rate_limits), with a
// low limit for this file. Each test uses its own client IP: the pg and neon projects share
// one database, and the limit is per IP.
process.env.AUTH_RATE_LIMIT_ENABLED = "true";
process.env.AUTH_RATE_LIMIT_MAX = "3";
process.env.AUTH_RATE_LIMIT_WINDOW_S = "600";


// Opening the database (and, on PGlite, creating it) is not part of what is measured here.
beforeAll(async () => {
  await api("GET", "/api/health");
});

function ipHeaders() {
  return { "x-forwarded-for": `198.18.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250) + 1}` };
}

describe("sign-in limiter", () => {
  it("answers 429 RATE_LIMITED in the envelope with Retry-After and X-RateLimit-* after the limit", async () => {
    const headers = ipHeaders();
    const attempt = () =>
      api("POST", "/api/auth/sign-in/email", { headers, json: { email: `nobody-${crypto.randomUUID()}@example.com`, password: "wrong password" } });
    for (let i = 0; i < 3; i++) expectError(await attempt(), 401, "UNAUTHORIZED");
    const limited = await attempt();
    expectError(limited, 429, "RATE_LIMITED");
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(limited.headers.get("x-ratelimit-limit")).toBe("3");
    expect(limited.headers.get("x-ratelimit-remaining")).toBe("0");
    expect(Number(limited.headers.get("x-ratelimit-reset"))).toBeGreaterThan(Date.now() / 1000);

    const otherIp = await api("POST", "/api/auth/sign-in/email", {
      headers: ipHeaders(),
      json: { email: "nobody@example.com", password: "wrong password" },
    });
    expectError(otherIp, 401, "UNAUTHORIZED");
  });

  it("keeps its counters in the database", async () => {
    const headers = ipHeaders();
    await api("POST", "/api/auth/sign-in/email", { headers, json: { email: "x@example.com", password: "wrong password" } });
    const { db } = await import("@/lib/db");
    const { rateLimits } = await import("@/lib/db/schema");
    const rows = await (await db()).select().from(rateLimits);
    expect(rows.some((row) => row.key.includes(headers["x-forwarded-for"]))).toBe(true);
  });
});

describe("sign-up limiter", () => {
  it("limits sign-ups per IP too", async () => {
    const headers = ipHeaders();
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      const response = await api("POST", "/api/auth/sign-up/email", {
        headers,
        json: { name: "Limited", email: `limited-${crypto.randomUUID()}@example.com`, password: "correct horse battery staple" },
      });
      statuses.push(response.status);
    }
    expect(statuses).toEqual([200, 200, 200, 429]);
  });
});
