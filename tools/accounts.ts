import { randomUUID } from "node:crypto";

// Accounts for tests, benches and scripts: one sign-up, through the product's own
// POST /api/auth/sign-up/email, over whatever carries the request: Node's fetch against a real
// server (the default), the in-process route handlers (the integration suite's `api`), or a
// browser context's request API (the e2e fixtures, so that the session cookie lands in the
// browser). And an API key for an account, through POST /api/auth/api-key/create.
//
// The request carries neither a cookie nor an Origin: the server accepts that from any client.

/** The password every test, bench and script account uses. */
export const TEST_PASSWORD = "correct horse battery staple";

/** A fresh address, `user-<uuid>@example.com` (or `<prefix>-<uuid>@example.com`). */
export function uniqueEmail(prefix = "user"): string {
  return `${prefix}-${randomUUID()}@example.com`;
}

/** The request signUp sends: always a POST with a JSON body. */
export interface SignUpRequest {
  method: "POST";
  headers: Record<string, string>;
  body: string;
}

/** What signUp reads of the answer: the part of a fetch Response it needs. */
export interface SignUpAnswer {
  status: number;
  headers: Headers;
  text(): Promise<string>;
}

/**
 * How the request travels. Node's global `fetch` fits as it is; anything else that can send a
 * POST to a URL and give back a status, headers and the body text fits too.
 */
export type FetchLike = (url: string, init: SignUpRequest) => Promise<SignUpAnswer>;

export interface SignUpOptions {
  /** Defaults to Node's global fetch. */
  fetch?: FetchLike;
  name?: string;
  /** Defaults to uniqueEmail(). */
  email?: string;
  /** Defaults to TEST_PASSWORD. */
  password?: string;
}

export interface Account {
  id: string;
  name: string;
  email: string;
  password: string;
  /** The session token of the body: `Authorization: Bearer <token>`. */
  token: string;
  /** The signed session token of the `set-auth-token` header (`<token>.<signature>`). */
  signed: string;
  /** `better-auth.session_token=…` (the Cookie header value), from Set-Cookie. */
  cookie: string;
}

export const SIGN_UP_PATH = "/api/auth/sign-up/email";

const SESSION_COOKIE = /^(__Secure-)?better-auth\.session_token=/;

/**
 * Signs up a new account at `baseUrl` and checks the answer: 200, a token and user id in the
 * body, the signed token in `set-auth-token`, the session cookie in Set-Cookie. Throws with the
 * status and body otherwise.
 */
export async function signUp(
  baseUrl: string,
  { fetch: send = fetch, name = "Test User", email = uniqueEmail(), password = TEST_PASSWORD }: SignUpOptions = {},
): Promise<Account> {
  const account = { name, email, password };
  const response = await send(new URL(SIGN_UP_PATH, baseUrl).href, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(account),
  });
  const text = await response.text();
  const fail = (problem: string): never => {
    throw new Error(`sign-up of ${account.email} failed: ${problem}: ${response.status} ${text}`);
  };
  if (response.status !== 200) fail("not 200");
  let body: { token?: unknown; user?: { id?: unknown; email?: unknown } };
  try {
    body = JSON.parse(text);
  } catch {
    return fail("the body is not JSON");
  }
  const token = body.token;
  const id = body.user?.id;
  if (typeof token !== "string" || !token) return fail("no token in the body");
  if (typeof id !== "string" || !id) return fail("no user id in the body");
  const signed = response.headers.get("set-auth-token") ?? "";
  if (!signed.startsWith(`${token}.`)) fail(`set-auth-token is not the signed token (${JSON.stringify(signed)})`);
  const cookie = response.headers.getSetCookie().find((value) => SESSION_COOKIE.test(value))?.split(";")[0];
  if (!cookie) return fail("no session cookie in Set-Cookie");
  return { id, ...account, token, signed, cookie };
}

export const API_KEY_CREATE_PATH = "/api/auth/api-key/create";

export interface ApiKeyOptions {
  /** Defaults to Node's global fetch. */
  fetch?: FetchLike;
  name?: string;
  /** Defaults to read-write, which tests and benches need (the API's own default is read). */
  scope?: "read" | "read-write";
}

/**
 * Creates an API key for the user of session `token` at `baseUrl`, as a client does: POST
 * /api/auth/api-key/create with the bearer session token. Returns the key (`tk_…`); throws with
 * the status and body unless the answer is 200 with a key.
 */
export async function createApiKey(
  baseUrl: string,
  token: string,
  { fetch: send = fetch, name = "test key", scope = "read-write" }: ApiKeyOptions = {},
): Promise<string> {
  const response = await send(new URL(API_KEY_CREATE_PATH, baseUrl).href, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify({ name, scope }),
  });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`POST ${API_KEY_CREATE_PATH} failed: ${response.status} ${text}`);
  let key: unknown;
  try {
    key = (JSON.parse(text) as { key?: unknown }).key;
  } catch {
    // not JSON: reported below
  }
  if (typeof key !== "string" || !key.startsWith("tk_")) throw new Error(`POST ${API_KEY_CREATE_PATH} returned no key: ${response.status} ${text}`);
  return key;
}
