import { createHmac, randomBytes, randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { sessions } from "@/lib/db/schema";
import { api, expectError, signUp, type ApiResponse, type TestUser } from "@/test/api";

const PASSWORD = "correct horse battery staple";
const COOKIE_NAME = "better-auth.session_token";

const uniqueEmail = () => `auth-${randomUUID()}@example.com`;

function signUpRequest(email: string, password = PASSWORD, name = "Auth Test") {
  return api("POST", "/api/auth/sign-up/email", { json: { name, email, password } });
}

function signIn(email: string, password = PASSWORD) {
  return api("POST", "/api/auth/sign-in/email", { json: { email, password } });
}

/** The `name=value` pair of the session cookie from a response's Set-Cookie. */
function sessionCookie(response: ApiResponse): string {
  const setCookie = response.headers.getSetCookie().find((cookie) => cookie.startsWith(`${COOKIE_NAME}=`));
  expect(setCookie, "a session cookie is set").toBeDefined();
  return setCookie!.split(";")[0]!;
}

/** A session as an API client holds it after sign-in. */
function sessionOf(response: ApiResponse) {
  return {
    token: response.body.token as string,
    signed: response.headers.get("set-auth-token")!,
    cookie: sessionCookie(response),
  };
}

function expectSessionResponse(response: ApiResponse, email: string) {
  expect(response.status, response.text).toBe(200);
  expect(typeof response.body.token).toBe("string");
  expect(response.body.token.length).toBeGreaterThanOrEqual(16);
  expect(response.body.user).toMatchObject({ email, id: expect.any(String) });
  expect(response.body.user).not.toHaveProperty("password");
  expect(response.headers.get("set-auth-token")).toBeTruthy();
  const cookie = sessionCookie(response);
  expect(cookie.length).toBeGreaterThan(COOKIE_NAME.length + 1);
}

const listTasks = (options: { token?: string; cookie?: string; headers?: Record<string, string> }) =>
  api("GET", "/api/tasks", options);

function expectUnauthorized(response: ApiResponse) {
  expectError(response, 401, "UNAUTHORIZED");
  expect(response.headers.get("www-authenticate")).toBe("Bearer");
}

/** Better Auth's own error fields, kept next to the envelope. */
function expectBetterAuthFields(response: ApiResponse) {
  expect(typeof response.body.code).toBe("string");
  expect(typeof response.body.message).toBe("string");
}

/** Any error from the auth routes: a client error in the envelope, never a 500. */
function expectClientErrorEnvelope(response: ApiResponse) {
  expect(response.status, response.text).toBeGreaterThanOrEqual(400);
  expect(response.status, response.text).toBeLessThan(500);
  expect(typeof response.body?.error_code, response.text).toBe("string");
  expectError(response, response.status, response.body.error_code);
}

async function expireSession(token: string) {
  const database = await db();
  const updated = await database
    .update(sessions)
    .set({ expiresAt: new Date(Date.now() - 60_000) })
    .where(eq(sessions.token, token))
    .returning({ id: sessions.id });
  expect(updated).toHaveLength(1);
}

const signOut = (options: { token?: string; cookie?: string; headers?: Record<string, string> }) =>
  api("POST", "/api/auth/sign-out", options);

describe("sign-up", () => {
  it("answers 200 with token, user, session cookie and set-auth-token", async () => {
    const email = uniqueEmail();
    const response = await signUpRequest(email, PASSWORD, "Ada");
    expectSessionResponse(response, email);
    expect(response.body.user.name).toBe("Ada");
  });

  it("rejects a duplicate email with an error in the envelope", async () => {
    const email = uniqueEmail();
    expect((await signUpRequest(email)).status).toBe(200);
    const duplicate = await signUpRequest(email, "another password 12345");
    expectClientErrorEnvelope(duplicate);
    expectBetterAuthFields(duplicate);
    expect(duplicate.body).not.toHaveProperty("token");
    // The first account is untouched.
    expect((await signIn(email)).status).toBe(200);
    expectUnauthorized(await signIn(email, "another password 12345"));
  });

  it("rejects a duplicate email that differs only in case", async () => {
    const email = uniqueEmail();
    expect((await signUpRequest(email)).status).toBe(200);
    expectClientErrorEnvelope(await signUpRequest(email.toUpperCase()));
  });
});

describe("sign-in", () => {
  it("answers 200 with the same shape as sign-up", async () => {
    const user = await signUp();
    const response = await signIn(user.email, user.password);
    expectSessionResponse(response, user.email);
    expect(response.body.user.id).toBe(user.id);
    expect(response.body.token).not.toBe(user.token);
  });

  it("wrong password → 401 with the envelope and Better Auth's fields", async () => {
    const user = await signUp();
    const response = await signIn(user.email, "wrong password entirely");
    expectUnauthorized(response);
    expectBetterAuthFields(response);
    expect(response.body).not.toHaveProperty("token");
  });

  it("unknown email → 401, indistinguishable from a wrong password", async () => {
    const user = await signUp();
    const unknown = await signIn(uniqueEmail());
    const wrongPassword = await signIn(user.email, "wrong password entirely");
    expectUnauthorized(unknown);
    expectBetterAuthFields(unknown);
    expect(unknown.body.error_code).toBe(wrongPassword.body.error_code);
    expect(unknown.body.code).toBe(wrongPassword.body.code);
    expect(unknown.body.detail).toBe(wrongPassword.body.detail);
  });
});

describe("credentials on /api/tasks", () => {
  it("accepts the token as Authorization: Bearer", async () => {
    const user = await signUp();
    const response = await listTasks({ token: user.token });
    expect(response.status, response.text).toBe(200);
    expect(response.body).toEqual({ items: [], next_cursor: null });
  });

  it("accepts the set-auth-token header value (signed form) as a bearer token", async () => {
    const email = uniqueEmail();
    const session = sessionOf(await signUpRequest(email));
    expect(session.signed).not.toBe(session.token);
    const response = await listTasks({ token: session.signed });
    expect(response.status, response.text).toBe(200);
  });

  it("accepts the session cookie alone", async () => {
    const user = await signUp();
    const response = await listTasks({ cookie: user.cookie });
    expect(response.status, response.text).toBe(200);
  });

  it("identifies the right user from each credential", async () => {
    const user = await signUp();
    const other = await signUp();
    const created = await api("POST", "/api/tasks", { cookie: user.cookie, json: { title: "mine" } });
    expect(created.status, created.text).toBe(201);
    expect(created.body.user_id).toBe(user.id);
    expect((await listTasks({ token: user.token })).body.items).toHaveLength(1);
    expect((await listTasks({ token: other.token })).body.items).toHaveLength(0);
  });
});

describe("401 UNAUTHORIZED with WWW-Authenticate: Bearer", () => {
  it("no credentials", async () => {
    expectUnauthorized(await listTasks({}));
  });

  it("Authorization: Basic", async () => {
    const user = await signUp();
    const basic = Buffer.from(`${user.email}:${user.password}`).toString("base64");
    expectUnauthorized(await listTasks({ headers: { authorization: `Basic ${basic}` } }));
    // A token under another scheme is not accepted either.
    expectUnauthorized(await listTasks({ headers: { authorization: `Token ${user.token}` } }));
  });

  it.each(["Bearer", "Bearer ", "Bearer    "])("empty bearer token (%j)", async (authorization) => {
    expectUnauthorized(await listTasks({ headers: { authorization } }));
  });

  it.each(["%%%", "not-a-token!", "a.b", "'; drop table sessions; --", "\u00e9\u00e8", "x".repeat(5000), "Bearer"])(
    "garbage bearer token %j",
    async (token) => {
      expectUnauthorized(await listTasks({ headers: { authorization: `Bearer ${token}` } }));
    },
  );

  it("a bearer token with two values", async () => {
    const user = await signUp();
    expectUnauthorized(await listTasks({ headers: { authorization: `Bearer ${user.token} ${user.token}` } }));
  });

  it("a well-formed but unknown token", async () => {
    const user = await signUp();
    const unknown = randomBytes(user.token.length).toString("base64url").slice(0, user.token.length);
    expectUnauthorized(await listTasks({ token: unknown }));
  });

  it("a signed token with a wrong signature", async () => {
    const user = await signUp();
    const forged = `${user.token}.${createHmac("sha256", "not the secret").update(user.token).digest("base64")}`;
    expectUnauthorized(await listTasks({ token: encodeURIComponent(forged) }));
  });

  it("a cookie with a bad signature", async () => {
    const user = await signUp();
    const forged = `${user.token}.${createHmac("sha256", "not the secret").update(user.token).digest("base64")}`;
    expectUnauthorized(await listTasks({ cookie: `${COOKIE_NAME}=${encodeURIComponent(forged)}` }));
  });

  it("a cookie holding the raw, unsigned token", async () => {
    const user = await signUp();
    expectUnauthorized(await listTasks({ cookie: `${COOKIE_NAME}=${user.token}` }));
  });

  it("a cookie under another name", async () => {
    const user = await signUp();
    const value = user.cookie.slice(user.cookie.indexOf("=") + 1);
    expectUnauthorized(await listTasks({ cookie: `session_token=${value}` }));
  });

  it("an expired session, by token and by cookie", async () => {
    const user = await signUp();
    expect((await listTasks({ token: user.token })).status).toBe(200);
    await expireSession(user.token);
    expectUnauthorized(await listTasks({ token: user.token }));
    expectUnauthorized(await listTasks({ cookie: user.cookie }));
  });

  it("is checked before the body is read", async () => {
    const response = await api("POST", "/api/tasks", {
      body: "{not json",
      headers: { "content-type": "application/json" },
    });
    expectUnauthorized(response);
    expectUnauthorized(await api("POST", "/api/tasks", { body: "x".repeat(100_000), headers: { "content-type": "text/plain" } }));
  });

  it("on every task route", async () => {
    const owner = await signUp();
    const task = (await api("POST", "/api/tasks", { token: owner.token, json: { title: "t" } })).body;
    const bad = { token: "unknown-token-0123456789abcdef" };
    expectUnauthorized(await api("POST", "/api/tasks", { ...bad, json: { title: "t" } }));
    expectUnauthorized(await api("GET", `/api/tasks/${task.id}`, bad));
    expectUnauthorized(await api("PUT", `/api/tasks/${task.id}`, { ...bad, json: { title: "t" } }));
    expectUnauthorized(await api("PATCH", `/api/tasks/${task.id}`, { ...bad, json: { completed: true } }));
    expectUnauthorized(await api("DELETE", `/api/tasks/${task.id}`, bad));
    // Nothing was changed by the rejected requests.
    const after = await api("GET", `/api/tasks/${task.id}`, { token: owner.token });
    expect(after.body).toEqual(task);
  });
});

describe("sign-out", () => {
  it("with only a bearer token (no body, no content type) ends the session at once", async () => {
    const user = await signUp();
    expect((await listTasks({ token: user.token })).status).toBe(200);
    const response = await signOut({ token: user.token });
    expect(response.status, response.text).toBe(200);
    expectUnauthorized(await listTasks({ token: user.token }));
    expectUnauthorized(await listTasks({ cookie: user.cookie }));
  });

  it("with the signed set-auth-token value ends the session", async () => {
    const session = sessionOf(await signUpRequest(uniqueEmail()));
    const response = await signOut({ token: session.signed });
    expect(response.status, response.text).toBe(200);
    expectUnauthorized(await listTasks({ token: session.signed }));
    expectUnauthorized(await listTasks({ token: session.token }));
  });

  it("with the session cookie ends the cookie session", async () => {
    const user = await signUp();
    expect((await listTasks({ cookie: user.cookie })).status).toBe(200);
    const response = await signOut({ cookie: user.cookie, headers: { origin: "http://localhost:3000" } });
    expect(response.status, response.text).toBe(200);
    // The browser is told to drop the cookie.
    const cleared = response.headers.getSetCookie().find((cookie) => cookie.startsWith(`${COOKIE_NAME}=`));
    expect(cleared).toMatch(/max-age=0|expires=Thu, 01 Jan 1970/i);
    expectUnauthorized(await listTasks({ cookie: user.cookie }));
    expectUnauthorized(await listTasks({ token: user.token }));
  });

  it("leaves the user's other sessions working", async () => {
    const user: TestUser = await signUp();
    const second = sessionOf(await signIn(user.email, user.password));
    expect(second.token).not.toBe(user.token);
    expect((await signOut({ token: user.token })).status).toBe(200);
    expectUnauthorized(await listTasks({ token: user.token }));
    expect((await listTasks({ token: second.token })).status).toBe(200);
    expect((await listTasks({ cookie: second.cookie })).status).toBe(200);
  });

  it("leaves other users' sessions working", async () => {
    const user = await signUp();
    const other = await signUp();
    expect((await signOut({ token: user.token })).status).toBe(200);
    expect((await listTasks({ token: other.token })).status).toBe(200);
  });

  it("a second sign-out with the same token does not answer 500", async () => {
    const user = await signUp();
    expect((await signOut({ token: user.token })).status).toBe(200);
    const again = await signOut({ token: user.token });
    expect(again.status, again.text).toBeLessThan(500);
    if (again.status >= 400) expectClientErrorEnvelope(again);
    expectUnauthorized(await listTasks({ token: user.token }));
  });

  it("a session signed in again after sign-out works", async () => {
    const user = await signUp();
    expect((await signOut({ token: user.token })).status).toBe(200);
    const again = sessionOf(await signIn(user.email, user.password));
    expect((await listTasks({ token: again.token })).status).toBe(200);
    expectUnauthorized(await listTasks({ token: user.token }));
  });
});

describe("auth errors are never 500", () => {
  const json = { "content-type": "application/json" };

  it.each([
    ["malformed JSON", "/api/auth/sign-up/email", "{not json", json],
    ["truncated JSON", "/api/auth/sign-up/email", '{"name":"a","email":', json],
    ["a JSON array", "/api/auth/sign-up/email", "[]", json],
    ["JSON null", "/api/auth/sign-in/email", "null", json],
    ["an empty JSON body", "/api/auth/sign-in/email", "", json],
    ["malformed JSON to sign-in", "/api/auth/sign-in/email", "{", json],
    ["a text/plain body", "/api/auth/sign-up/email", "hello", { "content-type": "text/plain" }],
  ])("%s → a 4xx envelope", async (_name, path, body, headers) => {
    expectClientErrorEnvelope(await api("POST", path, { body, headers }));
  });

  // The contract's table: "400 INVALID_JSON: the body is not parseable JSON, or is not a JSON object".
  it.each([
    ["malformed JSON", "{not json"],
    ["a JSON array", "[]"],
  ])("sign-up with %s → 400 INVALID_JSON, as on every other route", async (_name, body) => {
    const response = await api("POST", "/api/auth/sign-up/email", { body, headers: json });
    expectError(response, 400, "INVALID_JSON");
  });

  it.each([
    ["no fields", {}],
    ["a missing password", { name: "n", email: "missing-password@example.com" }],
    ["an invalid email", { name: "n", email: "not-an-email", password: PASSWORD }],
    ["a too short password", { name: "n", email: "short-password@example.com", password: "short" }],
    ["a wrong-typed email", { name: "n", email: 42, password: PASSWORD }],
  ])("sign-up with %s → a 4xx envelope", async (_name, payload) => {
    const response = await api("POST", "/api/auth/sign-up/email", { json: payload });
    expectClientErrorEnvelope(response);
    expectBetterAuthFields(response);
  });

  it.each([
    ["no fields", {}],
    ["a wrong-typed password", { email: "someone@example.com", password: 12345678 }],
  ])("sign-in with %s → a 4xx envelope", async (_name, payload) => {
    expectClientErrorEnvelope(await api("POST", "/api/auth/sign-in/email", { json: payload }));
  });

  it("an unknown auth path → a 4xx envelope", async () => {
    expectClientErrorEnvelope(await api("GET", "/api/auth/no-such-endpoint"));
    expectClientErrorEnvelope(await api("POST", "/api/auth/no-such-endpoint", { json: {} }));
  });

  it("get-session without credentials does not error", async () => {
    const response = await api("GET", "/api/auth/get-session");
    expect(response.status, response.text).toBeLessThan(500);
  });
});
