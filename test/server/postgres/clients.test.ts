import http from "node:http";
import type { AddressInfo } from "node:net";
import { apiKeyClient } from "@better-auth/api-key/client";
import { createAuthClient } from "better-auth/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiClient } from "@/lib/api-client";
import { startNextServer, type NextServer } from "@/tools/next-server";

// Clients nobody on this project wrote, over real HTTP against `next start` on PostgreSQL:
// Node's own fetch (which sends `Sec-Fetch-Mode: cors` and no Origin), Better Auth's client
// with its api-key plugin, and the project's typed client (openapi-fetch). Browser-like cookie
// requests from a foreign origin are refused: Better Auth's origin check is only active when
// neither NODE_ENV=test nor TEST is set, so only a production-like server shows it.
const PASSWORD = "correct horse battery staple";
const FOREIGN = "https://evil.example";

let server: NextServer;

beforeAll(async () => {
  server = await startNextServer({
    DATABASE_URL: process.env.TEST_DATABASE_URL!,
    DATABASE_DRIVER: "pg",
    LOG_LEVEL: "warn",
    // Many sign-ups and some 401s from one address: the limits are tested elsewhere.
    AUTH_RATE_LIMIT_ENABLED: "false",
    RATE_LIMIT_UNAUTHENTICATED_MAX: "1000000",
    // Vitest sets TEST=true in its own environment, which startNextServer passes on; Better Auth
    // reads TEST (like NODE_ENV=test) as "switch the origin/CSRF check off". A production host
    // has neither, so neither does this server.
    TEST: "false",
  });
});

afterAll(async () => {
  await server?.stop();
});

const uniqueEmail = () => `client-${crypto.randomUUID()}@example.com`;
const url = (path: string) => `${server.url}${path}`;

interface Answer<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

/** Node's fetch as a script uses it: JSON in, JSON out, no Origin added. */
async function call<T = any>(method: string, path: string, init: { headers?: Record<string, string>; json?: unknown } = {}): Promise<Answer<T>> {
  const headers = new Headers(init.headers);
  if (init.json !== undefined) headers.set("content-type", "application/json");
  const response = await fetch(url(path), {
    method,
    headers,
    body: init.json === undefined ? undefined : JSON.stringify(init.json),
  });
  const text = await response.text();
  const body = response.headers.get("content-type")?.includes("json") && text ? JSON.parse(text) : text;
  return { status: response.status, headers: response.headers, body, text };
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

function expectProblem(answer: Answer, status: number, code: string) {
  expect(answer.status, answer.text).toBe(status);
  expect(answer.body?.error_code, answer.text).toBe(code);
  expect(answer.headers.get("x-error-code")).toBe(code);
}

async function signUpPlain(): Promise<{ email: string; token: string; signed: string; cookie: string; userId: string }> {
  const email = uniqueEmail();
  const answer = await call("POST", "/api/auth/sign-up/email", { json: { name: "Plain Fetch", email, password: PASSWORD } });
  expect(answer.status, answer.text).toBe(200);
  const cookie = answer.headers.getSetCookie().find((value) => value.startsWith("better-auth.session_token="))!;
  expect(cookie).toBeDefined();
  return {
    email,
    token: answer.body.token,
    signed: answer.headers.get("set-auth-token")!,
    cookie: cookie.split(";")[0]!,
    userId: answer.body.user.id,
  };
}

async function createKeyOver(token: string, body: Record<string, unknown>) {
  const answer = await call("POST", "/api/auth/api-key/create", { headers: bearer(token), json: body });
  expect(answer.status, answer.text).toBe(200);
  expect(answer.body.key).toMatch(/^tk_/);
  return answer.body as { id: string; key: string; permissions: Record<string, string[]> };
}

describe("precondition: what Node's fetch sends", () => {
  it("sends Sec-Fetch-Mode: cors and no Origin (the case Better Auth took for a browser)", async () => {
    const seen = await new Promise<http.IncomingHttpHeaders>((resolve, reject) => {
      const echo = http.createServer((request, response) => {
        response.end();
        echo.close();
        resolve(request.headers);
      });
      echo.listen(0, "127.0.0.1", () => {
        const { port } = echo.address() as AddressInfo;
        fetch(`http://127.0.0.1:${port}/`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" }).catch(reject);
      });
    });
    expect(seen.origin).toBeUndefined();
    expect(seen.cookie).toBeUndefined();
    expect(seen["sec-fetch-mode"]).toBe("cors");
  });
});

describe("(a) plain Node fetch with no Origin", () => {
  it("signs up, signs in, creates and lists tasks with the token, signs out; the token then answers 401", async () => {
    const email = uniqueEmail();
    const signUp = await call("POST", "/api/auth/sign-up/email", { json: { name: "Node Script", email, password: PASSWORD } });
    expect(signUp.status, signUp.text).toBe(200);
    expect(signUp.body.user.email).toBe(email);

    const signIn = await call("POST", "/api/auth/sign-in/email", { json: { email, password: PASSWORD } });
    expect(signIn.status, signIn.text).toBe(200);
    const token: string = signIn.body.token;
    expect(token).not.toBe(signUp.body.token);

    const created = await call("POST", "/api/tasks", { headers: bearer(token), json: { title: "from a Node script" } });
    expect(created.status, created.text).toBe(201);
    expect(created.body.user_id).toBe(signIn.body.user.id);
    const listed = await call("GET", "/api/tasks", { headers: bearer(token) });
    expect(listed.status, listed.text).toBe(200);
    expect(listed.body.items.map((task: { id: number }) => task.id)).toEqual([created.body.id]);

    const session = await call("GET", "/api/auth/get-session", { headers: bearer(token) });
    expect(session.body.user.email).toBe(email);

    // A bare POST: no body, no content type.
    const signOut = await call("POST", "/api/auth/sign-out", { headers: bearer(token) });
    expect(signOut.status, signOut.text).toBe(200);
    expectProblem(await call("GET", "/api/tasks", { headers: bearer(token) }), 401, "UNAUTHORIZED");
    expect((await call("GET", "/api/auth/get-session", { headers: bearer(token) })).body).toBeNull();
    // The sign-up session is another session, and still works.
    expect((await call("GET", "/api/tasks", { headers: bearer(signUp.body.token) })).status).toBe(200);
  });

  it("a wrong password is still 401, not an origin error", async () => {
    const { email } = await signUpPlain();
    expectProblem(await call("POST", "/api/auth/sign-in/email", { json: { email, password: "wrong password entirely" } }), 401, "UNAUTHORIZED");
  });
});

describe("(a2) plain Node fetch: safe retries, ETags and the change feed", () => {
  it("replays a keyed create, answers 304 and 412 by ETag, and syncs the changes, tombstone included", async () => {
    const { token } = await signUpPlain();
    const auth = bearer(token);
    const key = { ...auth, "idempotency-key": `retry-${crypto.randomUUID()}` };
    const first = await call("POST", "/api/tasks", { headers: key, json: { title: "Exactly once" } });
    expect(first.status, first.text).toBe(201);
    const retried = await call("POST", "/api/tasks", { headers: key, json: { title: "Exactly once" } });
    expect(retried.status).toBe(201);
    expect(retried.headers.get("idempotent-replayed")).toBe("true");
    expect(retried.text).toBe(first.text);
    expectProblem(await call("POST", "/api/tasks", { headers: key, json: { title: "Another" } }), 422, "IDEMPOTENCY_KEY_REUSED");

    const full = await call("GET", "/api/tasks/changes", { headers: auth });
    expect(full.body.changes.map((change: { id: number }) => change.id)).toEqual([first.body.id]);

    const etag = first.headers.get("etag")!;
    expect(etag).toMatch(/^"\d+"$/);
    expect((await call("GET", `/api/tasks/${first.body.id}`, { headers: { ...auth, "if-none-match": etag } })).status).toBe(304);
    const updated = await call("PATCH", `/api/tasks/${first.body.id}`, { headers: { ...auth, "if-match": etag }, json: { completed: true } });
    expect(updated.status, updated.text).toBe(200);
    expect(updated.headers.get("etag")).not.toBe(etag);
    expectProblem(await call("PATCH", `/api/tasks/${first.body.id}`, { headers: { ...auth, "if-match": etag }, json: { title: "Stale" } }), 412, "PRECONDITION_FAILED");

    const other = await call("POST", "/api/tasks", { headers: auth, json: { title: "Created after the sync" } });
    expect(other.status, other.text).toBe(201);
    expect((await call("DELETE", `/api/tasks/${first.body.id}`, { headers: auth })).status).toBe(204);
    const since = await call("GET", `/api/tasks/changes?since=${full.body.sync_token}`, { headers: auth });
    expect(since.body.changes).toEqual([other.body, { id: first.body.id, deleted: true, deleted_at: expect.any(String) }]);
    expect(since.body.has_more).toBe(false);
  });
});

describe("(b) Better Auth's own client in Node", () => {
  function authClient() {
    const state = { token: "" };
    const client = createAuthClient({
      baseURL: server.url,
      plugins: [apiKeyClient()],
      fetchOptions: {
        // Better Auth's documented bearer setup: keep the set-auth-token header, send it back.
        onSuccess: (context) => {
          const token = context.response.headers.get("set-auth-token");
          if (token) state.token = token;
        },
        auth: { type: "Bearer", token: () => state.token },
      },
    });
    return { client, state };
  }

  it("signs up, signs in, reads the session and signs out, with no Origin added", async () => {
    const { client, state } = authClient();
    const email = uniqueEmail();

    const signUp = await client.signUp.email({ name: "Auth Client", email, password: PASSWORD });
    expect(signUp.error, JSON.stringify(signUp.error)).toBeNull();
    expect(signUp.data?.user.email).toBe(email);
    expect(state.token).toMatch(/\./);
    const signUpToken = state.token;

    const signIn = await client.signIn.email({ email, password: PASSWORD });
    expect(signIn.error, JSON.stringify(signIn.error)).toBeNull();
    expect(signIn.data?.user.email).toBe(email);
    expect(state.token).not.toBe(signUpToken);

    const session = await client.getSession();
    expect(session.error, JSON.stringify(session.error)).toBeNull();
    expect(session.data?.user.email).toBe(email);
    expect(session.data?.session.token).toBe(signIn.data?.token);

    // The client's token works on the task API too.
    expect((await call("GET", "/api/tasks", { headers: bearer(state.token) })).status).toBe(200);

    const signedIn = state.token;
    const signOut = await client.signOut();
    expect(signOut.error, JSON.stringify(signOut.error)).toBeNull();
    expect(signOut.data).toEqual({ success: true });
    const after = await client.getSession();
    expect(after.data).toBeNull();
    expectProblem(await call("GET", "/api/tasks", { headers: bearer(signedIn) }), 401, "UNAUTHORIZED");
  });

  it("reports a wrong password as an error, not an origin failure", async () => {
    const { client } = authClient();
    const { email } = await signUpPlain();
    const signIn = await client.signIn.email({ email, password: "wrong password entirely" });
    expect(signIn.data).toBeNull();
    expect(signIn.error?.status).toBe(401);
  });

  it("its api-key plugin creates a key with {name, scope}: the extra field passes through", async () => {
    const { client, state } = authClient();
    const signUp = await client.signUp.email({ name: "Key Client", email: uniqueEmail(), password: PASSWORD });
    expect(signUp.error, JSON.stringify(signUp.error)).toBeNull();
    expect(state.token).not.toBe("");

    // `scope` is this API's field, not the plugin's: the client sends whatever body it is given.
    const scope: Record<string, unknown> = { scope: "read" };
    const created = await client.apiKey.create({ name: "from the client", ...scope });
    expect(created.error, JSON.stringify(created.error)).toBeNull();
    expect(created.data?.key).toMatch(/^tk_/);
    expect(created.data?.permissions).toEqual({ tasks: ["read"] });

    const key = created.data!.key;
    expect((await call("GET", "/api/tasks", { headers: { "x-api-key": key } })).status).toBe(200);
    expectProblem(await call("POST", "/api/tasks", { headers: { "x-api-key": key }, json: { title: "read key" } }), 403, "FORBIDDEN");

    // A field the API does not accept is refused, not silently dropped.
    const refused = await client.apiKey.create({ name: "sneaky", permissions: { tasks: ["read", "write"] } });
    expect(refused.data).toBeNull();
    expect(refused.error?.status).toBe(400);

    const listed = await client.apiKey.list();
    expect(listed.error, JSON.stringify(listed.error)).toBeNull();
    expect(JSON.stringify(listed.data)).not.toContain(key);

    const deleted = await client.apiKey.delete({ keyId: created.data!.id });
    expect(deleted.error, JSON.stringify(deleted.error)).toBeNull();
    expectProblem(await call("GET", "/api/tasks", { headers: { "x-api-key": key } }), 401, "UNAUTHORIZED");
  });
});

describe("(c) the project's typed client (openapi-fetch)", () => {
  it("lists and creates tasks with the bearer token and with an API key", async () => {
    const user = await signUpPlain();
    const client = createApiClient(server.url);

    const created = await client.POST("/api/tasks", { body: { title: "typed, by session" }, headers: bearer(user.token) });
    expect(created.response.status).toBe(201);
    expect(created.data?.title).toBe("typed, by session");
    const listed = await client.GET("/api/tasks", { headers: bearer(user.token) });
    expect(listed.response.status).toBe(200);
    expect(listed.data?.items.map((task) => task.id)).toEqual([created.data!.id]);

    const { key } = await createKeyOver(user.token, { name: "typed client" });
    for (const headers of [bearer(key), { "x-api-key": key }]) {
      const byKey = await client.POST("/api/tasks", { body: { title: "typed, by key" }, headers });
      expect(byKey.response.status).toBe(201);
      expect(byKey.data?.user_id).toBe(user.userId);
    }
    const all = await client.GET("/api/tasks", { headers: { "x-api-key": key } });
    expect(all.response.status).toBe(200);
    expect(all.data?.items).toHaveLength(3);

    const unauthorized = await client.GET("/api/tasks", { headers: bearer("tk_not-a-real-key-0123456789") });
    expect(unauthorized.response.status).toBe(401);
    expect(unauthorized.error?.error_code).toBe("UNAUTHORIZED");
  });
});

describe("(d) browser-like cookie requests from a foreign origin", () => {
  const crossSite = (cookie: string) => ({ cookie, origin: FOREIGN, "sec-fetch-site": "cross-site", "sec-fetch-mode": "cors", "sec-fetch-dest": "empty" });
  const sameSite = (cookie: string) => ({ cookie, origin: server.url, "sec-fetch-site": "same-origin", "sec-fetch-mode": "cors", "sec-fetch-dest": "empty" });

  it("POST /api/tasks → 403, and the same cookie from the app's own origin → 201", async () => {
    const user = await signUpPlain();
    expectProblem(await call("POST", "/api/tasks", { headers: crossSite(user.cookie), json: { title: "forged" } }), 403, "FORBIDDEN");
    const own = await call("POST", "/api/tasks", { headers: sameSite(user.cookie), json: { title: "mine" } });
    expect(own.status, own.text).toBe(201);
    const listed = await call("GET", "/api/tasks", { headers: bearer(user.token) });
    expect(listed.body.items.map((task: { title: string }) => task.title)).toEqual(["mine"]);
  });

  it("POST /api/auth/sign-out → 403, and the session still works", async () => {
    const user = await signUpPlain();
    expectProblem(await call("POST", "/api/auth/sign-out", { headers: crossSite(user.cookie), json: {} }), 403, "FORBIDDEN");
    expect((await call("GET", "/api/tasks", { headers: { cookie: user.cookie } })).status).toBe(200);
    expect((await call("GET", "/api/tasks", { headers: bearer(user.token) })).status).toBe(200);
    // From the app's own origin, sign-out works.
    expect((await call("POST", "/api/auth/sign-out", { headers: sameSite(user.cookie), json: {} })).status).toBe(200);
    expectProblem(await call("GET", "/api/tasks", { headers: bearer(user.token) }), 401, "UNAUTHORIZED");
  });

  it("POST /api/auth/sign-in/email → 403 with a cookie, and with a foreign Origin alone", async () => {
    const user = await signUpPlain();
    const json = { email: user.email, password: PASSWORD };
    const withCookie = await call("POST", "/api/auth/sign-in/email", { headers: crossSite(user.cookie), json });
    expectProblem(withCookie, 403, "FORBIDDEN");
    expect(withCookie.body.token).toBeUndefined();
    const { cookie: _cookie, ...noCookie } = crossSite(user.cookie);
    expectProblem(await call("POST", "/api/auth/sign-in/email", { headers: noCookie, json }), 403, "FORBIDDEN");
    expectProblem(await call("POST", "/api/auth/sign-in/email", { headers: { origin: FOREIGN }, json }), 403, "FORBIDDEN");
    expectProblem(
      await call("POST", "/api/auth/sign-up/email", { headers: { origin: FOREIGN }, json: { name: "x", email: uniqueEmail(), password: PASSWORD } }),
      403,
      "FORBIDDEN",
    );
  });

  it("POST /api/auth/api-key/create and /delete → 403 from a foreign origin, and nothing changes", async () => {
    const user = await signUpPlain();
    const key = await createKeyOver(user.token, { name: "kept" });
    expectProblem(await call("POST", "/api/auth/api-key/create", { headers: crossSite(user.cookie), json: { name: "forged" } }), 403, "FORBIDDEN");
    expectProblem(await call("POST", "/api/auth/api-key/delete", { headers: crossSite(user.cookie), json: { keyId: key.id } }), 403, "FORBIDDEN");
    expectProblem(
      await call("POST", "/api/auth/api-key/update", { headers: crossSite(user.cookie), json: { keyId: key.id, enabled: false } }),
      403,
      "FORBIDDEN",
    );
    const listed = await call("GET", "/api/auth/api-key/list", { headers: bearer(user.token) });
    expect(listed.body.total).toBe(1);
    expect(listed.body.apiKeys[0]).toMatchObject({ id: key.id, enabled: true });
    expect((await call("GET", "/api/tasks", { headers: bearer(key.key) })).status).toBe(200);
  });
});

describe("(e) an API key created through the HTTP API", () => {
  it("lists, creates and updates tasks; a read-only key gets 403 on writes; a revoked key gets 401 next", async () => {
    const user = await signUpPlain();
    const readWrite = await createKeyOver(user.signed, { name: "integration", scope: "read-write" });
    expect(readWrite.permissions).toEqual({ tasks: ["read", "write"] });

    const created = await call("POST", "/api/tasks", { headers: bearer(readWrite.key), json: { title: "by key" } });
    expect(created.status, created.text).toBe(201);
    const id = created.body.id;
    const patched = await call("PATCH", `/api/tasks/${id}`, { headers: { "x-api-key": readWrite.key }, json: { completed: true } });
    expect(patched.status, patched.text).toBe(200);
    expect(patched.body.completed).toBe(true);
    const replaced = await call("PUT", `/api/tasks/${id}`, { headers: bearer(readWrite.key), json: { title: "replaced by key", completed: false } });
    expect(replaced.status, replaced.text).toBe(200);
    const listed = await call("GET", "/api/tasks", { headers: { "x-api-key": readWrite.key } });
    expect(listed.body.items).toEqual([replaced.body]);

    const readOnly = await createKeyOver(user.token, { name: "dashboard", scope: "read" });
    expect((await call("GET", `/api/tasks/${id}`, { headers: bearer(readOnly.key) })).status).toBe(200);
    for (const [method, path, json] of [
      ["POST", "/api/tasks", { title: "no" }],
      ["PATCH", `/api/tasks/${id}`, { completed: true }],
      ["PUT", `/api/tasks/${id}`, { title: "no", completed: true }],
      ["DELETE", `/api/tasks/${id}`, undefined],
    ] as const) {
      const answer = await call(method, path, { headers: bearer(readOnly.key), json });
      expectProblem(answer, 403, "FORBIDDEN");
      expect(answer.body.detail).toMatch(/read-write/);
    }

    // The key cannot manage keys.
    expectProblem(await call("GET", "/api/auth/api-key/list", { headers: bearer(readWrite.key) }), 401, "UNAUTHORIZED");
    expectProblem(await call("POST", "/api/auth/api-key/create", { headers: { "x-api-key": readWrite.key }, json: { name: "x" } }), 401, "UNAUTHORIZED");

    const revoked = await call("POST", "/api/auth/api-key/delete", { headers: bearer(user.token), json: { keyId: readWrite.id } });
    expect(revoked.status, revoked.text).toBe(200);
    expect(revoked.body).toEqual({ success: true });
    expectProblem(await call("GET", "/api/tasks", { headers: bearer(readWrite.key) }), 401, "UNAUTHORIZED");
    expectProblem(await call("GET", "/api/tasks", { headers: { "x-api-key": readWrite.key } }), 401, "UNAUTHORIZED");
    // The other key is unaffected.
    expect((await call("GET", "/api/tasks", { headers: bearer(readOnly.key) })).status).toBe(200);
  });
});
