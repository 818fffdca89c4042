import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from "vitest";
import { api, signUp } from "@/test/api";

// Request ids on every response and one structured log line per request, with no secrets.
process.env.LOG_LEVEL = "info";

let stdout: MockInstance<typeof process.stdout.write>;
beforeEach(() => {
  stdout = vi.spyOn(process.stdout, "write").mockImplementation(() => true);
});
afterEach(() => {
  vi.restoreAllMocks();
});

// Request lines are written once the event loop's turn ends (lib/log.ts).
const linesWritten = () => new Promise((resolve) => setImmediate(resolve));

function requestLogs(): Record<string, unknown>[] {
  return stdout.mock.calls
    .flatMap(([chunk]) => String(chunk).split("\n"))
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((entry) => entry.message === "request");
}

describe("X-Request-Id", () => {
  it("is generated when absent and returned on success and error alike", async () => {
    const health = await api("GET", "/api/health");
    expect(health.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    const error = await api("GET", "/api/tasks");
    expect(error.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    expect(error.body.request_id).toBe(error.headers.get("x-request-id"));
    expect(error.headers.get("x-request-id")).not.toBe(health.headers.get("x-request-id"));
  });

  it("keeps a well-formed incoming id and replaces a malformed one", async () => {
    const kept = await api("GET", "/api/tasks", { headers: { "x-request-id": "client-trace-0001" } });
    expect(kept.headers.get("x-request-id")).toBe("client-trace-0001");
    expect(kept.body.request_id).toBe("client-trace-0001");
    for (const bad of ["short", "has spaces in it", "x".repeat(200), "<script>alert(1)</script>"]) {
      const replaced = await api("GET", "/api/health", { headers: { "x-request-id": bad } });
      expect(replaced.headers.get("x-request-id")).not.toBe(bad);
      expect(replaced.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it("is on auth route errors too", async () => {
    const response = await api("POST", "/api/auth/sign-in/email", {
      json: { email: "nobody@example.com", password: "wrong password" },
      headers: { "x-request-id": "sign-in-trace-01" },
    });
    expect(response.status).toBe(401);
    expect(response.body.request_id).toBe("sign-in-trace-01");
  });
});

describe("request logs", () => {
  it("writes one JSON line per request with route, status, duration and user", async () => {
    const user = await signUp();
    await linesWritten();
    stdout.mockClear();
    const created = await api("POST", "/api/tasks", { token: user.token, json: { title: "logged" } });
    await api("GET", `/api/tasks/${created.body.id}`, { token: user.token, headers: { "x-request-id": "trace-get-0001" } });
    await api("GET", "/api/tasks/999999999");
    await linesWritten();

    const [create, get, anonymous] = requestLogs();
    expect(requestLogs()).toHaveLength(3);
    expect(create).toMatchObject({ level: "info", method: "POST", route: "/api/tasks", status: 201, user_id: user.id });
    expect(get).toMatchObject({ method: "GET", route: "/api/tasks/[id]", status: 200, request_id: "trace-get-0001" });
    expect(anonymous).toMatchObject({ route: "/api/tasks/[id]", status: 401, user_id: null });
    for (const entry of [create!, get!, anonymous!]) {
      expect(entry.duration_ms).toEqual(expect.any(Number));
      expect(new Date(entry.time as string).toISOString()).toBe(entry.time);
    }
  });

  it("never contains passwords, tokens or cookies", async () => {
    stdout.mockClear();
    const user = await signUp();
    await api("GET", "/api/tasks", { token: user.token });
    await api("GET", "/api/tasks", { cookie: user.cookie });
    await api("POST", "/api/auth/sign-in/email", { json: { email: user.email, password: user.password } });
    await api("POST", "/api/auth/sign-in/email", { json: { email: user.email, password: "not the password" } });
    await linesWritten();
    const logged = stdout.mock.calls.map(([chunk]) => String(chunk)).join("");
    expect(requestLogs().length).toBeGreaterThanOrEqual(5);
    for (const secret of [user.password, "not the password", user.token, user.cookie.split("=")[1]!]) {
      expect(logged).not.toContain(secret);
    }
  });
});
