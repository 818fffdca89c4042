import { beforeAll, describe, expect, it } from "vitest";
import { api, expectError, signUp, type TestUser } from "@/test/api";

// CSRF (cookie writes must come from our own origin) and CORS (only listed origins).
const PARTNER = "https://partner.example";
const EVIL = "https://evil.example";
process.env.CORS_ORIGINS = `${PARTNER}, https://other-partner.example`;

let user: TestUser;
beforeAll(async () => {
  user = await signUp();
});

describe("CSRF: cookie-authenticated writes", () => {
  it("are accepted from the app's own origin", async () => {
    const response = await api("POST", "/api/tasks", { cookie: user.cookie, json: { title: "same origin" } });
    expect(response.status).toBe(201);
  });

  it.each([
    ["another origin", EVIL],
    ["no Origin header", null],
    ["a look-alike origin", "http://localhost:3000.evil.example"],
  ])("are refused from %s, before anything is written", async (_name, origin) => {
    const title = `csrf ${crypto.randomUUID()}`;
    for (const [method, path] of [["POST", "/api/tasks"]] as const) {
      expectError(await api(method, path, { cookie: user.cookie, origin, json: { title } }), 403, "FORBIDDEN");
    }
    const task = (await api("POST", "/api/tasks", { token: user.token, json: { title: "target" } })).body;
    for (const method of ["PUT", "PATCH", "DELETE"]) {
      const json = method === "DELETE" ? undefined : { title };
      expectError(await api(method, `/api/tasks/${task.id}`, { cookie: user.cookie, origin, json }), 403, "FORBIDDEN");
    }
    const list = await api("GET", "/api/tasks?limit=100", { token: user.token });
    expect(list.body.items.map((item: { title: string }) => item.title)).not.toContain(title);
    expect((await api("GET", `/api/tasks/${task.id}`, { token: user.token })).body.title).toBe("target");
  });

  it("do not apply to reads, or to bearer requests from any origin", async () => {
    expect((await api("GET", "/api/tasks", { cookie: user.cookie, origin: EVIL })).status).toBe(200);
    const bearer = await api("POST", "/api/tasks", { token: user.token, origin: EVIL, json: { title: "bearer" } });
    expect(bearer.status).toBe(201);
  });

  it("accept a listed CORS origin", async () => {
    const response = await api("POST", "/api/tasks", { cookie: user.cookie, origin: PARTNER, json: { title: "partner" } });
    expect(response.status).toBe(201);
  });
});

describe("CORS", () => {
  it("answers a preflight from a listed origin with the allowed methods and headers", async () => {
    const response = await api("OPTIONS", "/api/tasks/1", {
      origin: PARTNER,
      headers: { "access-control-request-method": "PATCH", "access-control-request-headers": "authorization, content-type" },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get("access-control-allow-origin")).toBe(PARTNER);
    expect(response.headers.get("access-control-allow-methods")).toBe("GET, PUT, PATCH, DELETE, HEAD, OPTIONS");
    expect(response.headers.get("access-control-allow-headers")?.toLowerCase()).toContain("authorization");
    expect(response.headers.get("access-control-allow-credentials")).toBe("true");
  });

  it("gives an unlisted origin no CORS headers at all", async () => {
    const preflight = await api("OPTIONS", "/api/tasks", { origin: EVIL, headers: { "access-control-request-method": "POST" } });
    expect(preflight.headers.get("access-control-allow-origin")).toBeNull();
    expect(preflight.headers.get("access-control-allow-methods")).toBeNull();
    const get = await api("GET", "/api/tasks", { token: user.token, origin: EVIL });
    expect(get.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("exposes the headers a browser client needs on actual responses", async () => {
    const response = await api("POST", "/api/tasks", { token: user.token, origin: PARTNER, json: { title: "exposed" } });
    expect(response.headers.get("access-control-allow-origin")).toBe(PARTNER);
    const exposed = response.headers.get("access-control-expose-headers")?.toLowerCase() ?? "";
    for (const name of ["set-auth-token", "x-error-code", "x-request-id", "location", "retry-after", "x-ratelimit-remaining"]) {
      expect(exposed).toContain(name);
    }
    expect(response.headers.get("vary")).toContain("Origin");
  });

  it("applies to the auth routes too", async () => {
    const response = await api("OPTIONS", "/api/auth/sign-in/email", { origin: PARTNER, headers: { "access-control-request-method": "POST" } });
    expect(response.status).toBe(204);
    expect(response.headers.get("access-control-allow-origin")).toBe(PARTNER);
  });
});
