import { auth } from "@/lib/auth";
import {
  assertRoomForAnotherKey,
  SCOPE_HEADER,
  type ApiKeyCreateBody,
} from "@/lib/auth/api-keys";
import { bearerCredential, sessionUser, verifySigned, withoutForgedSessionCookies } from "@/lib/auth/session";
import { AUTH_OPERATIONS } from "@/lib/auth/operations";
import { env } from "@/lib/env";
import { ApiError, boundedDetail, boundedFieldErrors, ERROR_CODES, errorHeaders, validate, type ErrorCode, type FieldError } from "@/lib/errors";
import { assertPlainData, readJsonObject } from "@/lib/http/body";
import type { RequestState } from "@/lib/http/route";
import { logWarn } from "@/lib/log";

// Better Auth's status, and where one status means two things its own code, to this API's
// error code. Written out, so that a new code in lib/errors.ts cannot relabel auth errors.
const CODE_BY_STATUS: Record<number, ErrorCode | ((betterAuthCode: string | undefined) => ErrorCode)> = {
  400: "VALIDATION_ERROR",
  401: "UNAUTHORIZED",
  403: "FORBIDDEN",
  404: "NOT_FOUND",
  413: "PAYLOAD_TOO_LARGE",
  415: "UNSUPPORTED_MEDIA_TYPE",
  422: (code) => (code?.startsWith("USER_ALREADY_EXISTS") ? "USER_ALREADY_EXISTS" : "VALIDATION_ERROR"),
  429: "RATE_LIMITED",
  500: "INTERNAL_ERROR",
};

function errorCodeOf(status: number, betterAuthCode: string | undefined): ErrorCode {
  const mapped = CODE_BY_STATUS[status];
  if (mapped === undefined) {
    logWarn("unmapped Better Auth error status", { status, better_auth_code: betterAuthCode });
    return "INTERNAL_ERROR";
  }
  return typeof mapped === "function" ? mapped(betterAuthCode) : mapped;
}

// Better Auth reports field problems as "[body.email] Invalid email address; [body.name] ..."
// or as a code for the password; clients get them as `errors[]`, like on every other route.
const FIELD_BY_CODE: Record<string, string> = {
  PASSWORD_TOO_SHORT: "password",
  PASSWORD_TOO_LONG: "password",
  INVALID_EMAIL: "email",
};

function betterAuthFieldErrors(code: string | undefined, message: string): FieldError[] {
  const fromMessage = [...message.matchAll(/\[body\.([\w.]+)\]\s*([^;]+)/g)].map(([, path, text]) => ({
    path: path!,
    message: text!.trim(),
  }));
  if (fromMessage.length > 0) return boundedFieldErrors(fromMessage);
  const field = code ? FIELD_BY_CODE[code] : undefined;
  return boundedFieldErrors([{ path: field ?? "body", message }]);
}

// Better Auth says when to retry in X-Retry-After; clients of this API read the standard
// Retry-After and X-RateLimit-* headers on every 429.
function rateLimitedHeaders(headers: Headers) {
  const retryAfter = Math.max(1, Number(headers.get("x-retry-after")) || env().AUTH_RATE_LIMIT_WINDOW_S);
  headers.set("Retry-After", String(retryAfter));
  headers.set("X-RateLimit-Limit", String(env().AUTH_RATE_LIMIT_MAX));
  headers.set("X-RateLimit-Remaining", "0");
  headers.set("X-RateLimit-Reset", String(Math.floor(Date.now() / 1000) + retryAfter));
}

async function readJson(response: Response): Promise<Record<string, unknown>> {
  try {
    const body: unknown = await response.json();
    return typeof body === "object" && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/**
 * Better Auth's errors are `{code, message}`; clients of this API handle every error by
 * `detail` and `error_code`, so those are added (Better Auth's own fields stay). The status is
 * the error code's, as on every other route (a 422 that is a validation problem becomes 400).
 */
async function withEnvelope(response: Response, requestId: string): Promise<Response> {
  const body = await readJson(response);
  const betterAuthCode = typeof body.code === "string" ? body.code : undefined;
  const errorCode = errorCodeOf(response.status, betterAuthCode);
  const { status } = ERROR_CODES[errorCode];
  const detail = boundedDetail(typeof body.message === "string" && body.message ? body.message : ERROR_CODES[errorCode].detail);
  const errors = errorCode === "VALIDATION_ERROR" ? betterAuthFieldErrors(betterAuthCode, detail) : undefined;
  const headers = new Headers(response.headers);
  headers.delete("content-length");
  for (const [name, value] of Object.entries(errorHeaders(status, errorCode))) headers.set(name, value);
  if (status === 429) rateLimitedHeaders(headers);
  headers.set("content-type", "application/json");
  const envelope = { ...body, detail, error_code: errorCode, ...(errors ? { errors } : {}), request_id: requestId };
  return new Response(JSON.stringify(envelope), { status, headers });
}

const AUTH_PREFIX = "/api/auth";

/** The operations Better Auth serves here, by path below /api/auth (lib/auth/operations.ts). */
export const AUTH_ENDPOINTS = new Map(AUTH_OPERATIONS.map((operation) => [operation.path.slice(AUTH_PREFIX.length), operation]));

function endpointOf(request: Request, url: URL) {
  const path = url.pathname.slice(AUTH_PREFIX.length).replace(/\/+$/, "");
  const endpoint = AUTH_ENDPOINTS.get(path);
  if (!endpoint) throw new ApiError("NOT_FOUND");
  if (request.method !== endpoint.method) {
    const allow = endpoint.method === "GET" ? "GET, HEAD, OPTIONS" : "POST, OPTIONS";
    throw new ApiError("METHOD_NOT_ALLOWED", undefined, { headers: { Allow: allow } });
  }
  return { ...endpoint, path };
}

// A request with neither a cookie nor an Origin cannot be a cross-site browser request
// (browsers send Origin on every POST), but Node's fetch and SDKs built on it send
// `Sec-Fetch-Mode: cors`, which Better Auth takes for a browser that then must send an
// Origin. Its fetch-metadata checks only apply to browsers, so such a request is passed on
// without those headers; a request with a cookie or an Origin is checked exactly as before.
function withoutBrowserHints(headers: Headers) {
  if (headers.has("cookie") || headers.has("origin")) return;
  for (const name of ["sec-fetch-site", "sec-fetch-mode", "sec-fetch-dest", "sec-fetch-user"]) headers.delete(name);
}

// Better Auth verifies a signed token (bearer or cookie) after decoding its signature
// leniently; an altered spelling of the signature must not count as a credential at all.
function withExactSignatures(headers: Headers, request: Request) {
  const bearer = bearerCredential(request);
  if (bearer?.includes(".") && !verifySigned(bearer)) headers.delete("authorization");
  const cookie = request.headers.get("cookie");
  if (cookie !== null) headers.set("cookie", withoutForgedSessionCookies(cookie));
}

/**
 * POST bodies are read by the same reader as every other route (64 KiB limit while streaming,
 * 415 for other media types, INVALID_JSON for anything but a JSON object) and handed on to
 * Better Auth re-serialized. A bare `POST /api/auth/sign-out` with only a bearer token, which
 * is what API clients naturally send, gets an empty JSON object.
 */
async function normalized(request: Request, endpoint: ReturnType<typeof endpointOf>): Promise<Request> {
  const headers = new Headers(request.headers);
  withoutBrowserHints(headers);
  withExactSignatures(headers, request);
  headers.delete(SCOPE_HEADER);
  if (request.method !== "POST") return new Request(request.url, { method: request.method, headers });
  const isBareSignOut =
    endpoint.path === "/sign-out" &&
    !request.headers.get("content-type") &&
    (request.headers.get("content-length") ?? "0") === "0" &&
    !request.headers.get("transfer-encoding");
  const raw = isBareSignOut ? {} : await readJsonObject(request);
  assertPlainData(raw);
  let body = endpoint.guard ? validate(endpoint.guard, raw) : raw;
  if (endpoint.path === "/api-key/create") {
    const { scope, ...rest } = body as ApiKeyCreateBody;
    headers.set(SCOPE_HEADER, scope);
    body = rest;
  }
  headers.set("content-type", "application/json");
  headers.delete("content-length");
  headers.delete("transfer-encoding");
  return new Request(request.url, { method: "POST", headers, body: JSON.stringify(body) });
}

export async function handleAuthRequest(request: Request, state: RequestState): Promise<Response> {
  const endpoint = endpointOf(request, state.url);
  const forwarded = await normalized(request, endpoint);
  const instance = await auth();
  if (endpoint.path === "/api-key/create") {
    // Without a session the plugin answers 401 itself.
    const user = await sessionUser(forwarded);
    if (user) await assertRoomForAnotherKey(user.id);
  }
  const response = await instance.handler(forwarded);
  return response.status >= 400 ? withEnvelope(response, state.requestId) : response;
}
