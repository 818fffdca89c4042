import { auth } from "@/lib/auth";
import { env } from "@/lib/env";
import { ERROR_CODES, errorHeaders, type ErrorCode, type FieldError } from "@/lib/errors";
import { assertPlainData, readJsonObject } from "@/lib/http/body";

const codeByStatus = new Map<number, ErrorCode>(
  (Object.entries(ERROR_CODES) as [ErrorCode, { status: number }][])
    .filter(([code]) => !["INVALID_JSON", "TASK_NOT_FOUND", "USER_ALREADY_EXISTS"].includes(code))
    .map(([code, { status }]) => [status, code]),
);

// Better Auth reports field problems as "[body.email] Invalid email address; [body.name] ..."
// or as a code for the password; clients get them as `errors[]`, like on every other route.
const FIELD_BY_CODE: Record<string, string> = {
  PASSWORD_TOO_SHORT: "password",
  PASSWORD_TOO_LONG: "password",
  INVALID_EMAIL: "email",
};

function fieldErrors(code: string | undefined, message: string): FieldError[] | undefined {
  const fromMessage = [...message.matchAll(/\[body\.([\w.]+)\]\s*([^;]+)/g)].map(([, path, text]) => ({
    path: path!,
    message: text!.trim(),
  }));
  if (fromMessage.length > 0) return fromMessage;
  const field = code ? FIELD_BY_CODE[code] : undefined;
  return field ? [{ path: field, message }] : undefined;
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
 * `detail` and `error_code`, so those are added (Better Auth's own fields stay).
 */
async function withEnvelope(response: Response, requestId: string): Promise<Response> {
  const body = await readJson(response);
  const ownCode = typeof body.code === "string" ? body.code : undefined;
  const errorCode =
    response.status === 422
      ? ownCode?.startsWith("USER_ALREADY_EXISTS")
        ? "USER_ALREADY_EXISTS"
        : "VALIDATION_ERROR"
      : (codeByStatus.get(response.status) ?? ownCode ?? "INTERNAL_ERROR");
  const detail =
    typeof body.message === "string" && body.message
      ? body.message
      : (ERROR_CODES[errorCode as ErrorCode]?.detail ?? response.statusText);
  const errors = errorCode === "VALIDATION_ERROR" ? fieldErrors(ownCode, detail) : undefined;
  const headers = new Headers(response.headers);
  headers.delete("content-length");
  for (const [name, value] of Object.entries(errorHeaders(response.status, errorCode))) headers.set(name, value);
  if (response.status === 429) rateLimitedHeaders(headers);
  headers.set("content-type", "application/json");
  const envelope = { ...body, detail, error_code: errorCode, ...(errors ? { errors } : {}), request_id: requestId };
  return new Response(JSON.stringify(envelope), { status: response.status, headers });
}

/**
 * POST bodies are read by the same reader as every other route (64 KiB limit while streaming,
 * 415 for other media types, INVALID_JSON for anything but a JSON object) and handed on to
 * Better Auth re-serialized. A bare `POST /api/auth/sign-out` with only a bearer token, which
 * is what API clients naturally send, gets an empty JSON object.
 */
async function normalized(request: Request): Promise<Request> {
  if (request.method !== "POST") return request;
  const isBareSignOut =
    new URL(request.url).pathname.endsWith("/sign-out") &&
    !request.headers.get("content-type") &&
    (request.headers.get("content-length") ?? "0") === "0" &&
    !request.headers.get("transfer-encoding");
  const body = isBareSignOut ? {} : await readJsonObject(request);
  assertPlainData(body);
  const headers = new Headers(request.headers);
  headers.set("content-type", "application/json");
  headers.delete("content-length");
  headers.delete("transfer-encoding");
  return new Request(request.url, { method: "POST", headers, body: JSON.stringify(body) });
}

export async function handleAuthRequest(request: Request, requestId: string): Promise<Response> {
  const response = await (await auth()).handler(await normalized(request));
  return response.status >= 400 ? withEnvelope(response, requestId) : response;
}
