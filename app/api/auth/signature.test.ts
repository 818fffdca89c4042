import { describe, expect, it } from "vitest";
import { api, expectError, type ApiResponse } from "@/test/api";

// A signed session token (`token.signature`, as in `set-auth-token` and the session cookie) is
// accepted only in its exact spelling. The signature is base64 of a 32-byte HMAC: 43 characters
// and one `=`. Lenient base64 decoders read other spellings as the same bytes (a padding
// character replaced, a character appended, a different last character that differs only in
// the 2 bits that encode nothing), so each of those must be refused everywhere the token is
// accepted: on /api/tasks and on Better Auth's own endpoints.
const COOKIE_NAME = "better-auth.session_token";
const BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

async function signedSession() {
  const email = `signature-${crypto.randomUUID()}@example.com`;
  const response = await api("POST", "/api/auth/sign-up/email", {
    json: { name: "Signature Test", email, password: "correct horse battery staple" },
  });
  expect(response.status, response.text).toBe(200);
  const signed = response.headers.get("set-auth-token")!;
  const token = response.body.token as string;
  expect(signed.startsWith(`${token}.`)).toBe(true);
  const signature = signed.slice(token.length + 1);
  expect(signature).toMatch(/^[A-Za-z0-9+/]{43}=$/);
  return { token, signed, signature, userId: response.body.user.id as string };
}

/** The same signature bytes under a lenient decoder: the last data character with its 2 unused bits changed. */
function unusedBitsVariant(signed: string): string {
  const last = signed.at(-2)!;
  const index = BASE64.indexOf(last);
  const changed = BASE64[(index & ~3) | ((index + 1) & 3)]!;
  return `${signed.slice(0, -2)}${changed}=`;
}

const TAMPERINGS: [name: string, tamper: (signed: string) => string][] = [
  ["padding = replaced by A", (signed) => `${signed.slice(0, -1)}A`],
  ["a character appended", (signed) => `${signed}A`],
  ["a second = appended", (signed) => `${signed}=`],
  ["the padding removed", (signed) => signed.slice(0, -1)],
  ["the last data character changed only in its unused bits", unusedBitsVariant],
];

function tamperings(signed: string): [string, string][] {
  return TAMPERINGS.map(([name, tamper]) => [name, tamper(signed)]);
}

const tasksWithBearer = (token: string) => api("GET", "/api/tasks", { token });
const sessionWithBearer = (token: string) => api("GET", "/api/auth/get-session", { token });
const cookieHeader = (signed: string) => `${COOKIE_NAME}=${encodeURIComponent(signed)}`;

function expectUnauthorized(response: ApiResponse) {
  expectError(response, 401, "UNAUTHORIZED");
}

function expectNoSession(response: ApiResponse) {
  expect(response.status, response.text).toBe(200);
  expect(response.body).toBeNull();
}

describe("the untouched signed token", () => {
  it("works on /api/tasks and get-session, as sent and %-encoded, as bearer and as cookie", async () => {
    const session = await signedSession();
    for (const token of [session.signed, encodeURIComponent(session.signed)]) {
      const tasks = await tasksWithBearer(token);
      expect(tasks.status, tasks.text).toBe(200);
      const current = await sessionWithBearer(token);
      expect(current.status, current.text).toBe(200);
      expect(current.body.user.id).toBe(session.userId);
    }
    const cookie = cookieHeader(session.signed);
    expect((await api("GET", "/api/tasks", { cookie })).status).toBe(200);
    expect((await api("GET", "/api/auth/get-session", { cookie })).body.user.id).toBe(session.userId);
  });
});

describe("a signed bearer token with an altered signature", () => {
  it.each(["as sent", "%-encoded"])("is refused on /api/tasks and by get-session (%s)", async (encoding) => {
    const session = await signedSession();
    for (const [name, tampered] of tamperings(session.signed)) {
      expect(tampered, name).not.toBe(session.signed);
      const token = encoding === "as sent" ? tampered : encodeURIComponent(tampered);
      const tasks = await tasksWithBearer(token);
      expect(tasks.status, `${name}: ${tasks.text}`).toBe(401);
      expectUnauthorized(tasks);
      const current = await sessionWithBearer(token);
      expect(current.body, `${name}: get-session ${current.text}`).toBeNull();
      expectNoSession(current);
      expectUnauthorized(await api("GET", "/api/auth/api-key/list", { token }));
      expectUnauthorized(await api("POST", "/api/tasks", { token, json: { title: name } }));
    }
    // The real token still works, and nothing was created by the refused requests.
    const tasks = await tasksWithBearer(session.signed);
    expect(tasks.status).toBe(200);
    expect(tasks.body.items).toEqual([]);
  });

  it("does not sign the session out", async () => {
    const session = await signedSession();
    for (const [, tampered] of tamperings(session.signed)) {
      const response = await api("POST", "/api/auth/sign-out", { token: tampered });
      expect(response.status, response.text).toBeLessThan(500);
    }
    expect((await tasksWithBearer(session.signed)).status).toBe(200);
    expect((await sessionWithBearer(session.token)).body.user.id).toBe(session.userId);
  });
});

describe("a session cookie with an altered signature", () => {
  it.each(TAMPERINGS)(
    "is refused on /api/tasks and by Better Auth's endpoints (%s)",
    async (name, tamper) => {
      const session = await signedSession();
      const tampered = tamper(session.signed);
      expect(tampered).not.toBe(session.signed);
      const cookie = cookieHeader(tampered);
      expectUnauthorized(await api("GET", "/api/tasks", { cookie }));
      const current = await api("GET", "/api/auth/get-session", { cookie });
      expect(current.body, `get-session with ${name}: ${current.text}`).toBeNull();
      expectNoSession(current);
      expectUnauthorized(await api("GET", "/api/auth/api-key/list", { cookie }));
    },
  );
});
