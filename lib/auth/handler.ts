import { auth } from "@/lib/auth";
import { ERROR_CODES, errorHeaders, type ErrorCode } from "@/lib/errors";

const codeByStatus = new Map<number, ErrorCode>(
  (Object.entries(ERROR_CODES) as [ErrorCode, { status: number }][])
    .filter(([code]) => code !== "INVALID_JSON" && code !== "TASK_NOT_FOUND")
    .map(([code, { status }]) => [status, code]),
);

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
async function withEnvelope(response: Response): Promise<Response> {
  const body = await readJson(response);
  const ownCode = typeof body.code === "string" ? body.code : undefined;
  const errorCode = codeByStatus.get(response.status) ?? ownCode ?? "INTERNAL_ERROR";
  const detail =
    typeof body.message === "string" && body.message
      ? body.message
      : (ERROR_CODES[errorCode as ErrorCode]?.detail ?? response.statusText);
  const headers = new Headers(response.headers);
  headers.delete("content-length");
  for (const [name, value] of Object.entries(errorHeaders(response.status, errorCode))) headers.set(name, value);
  headers.set("content-type", "application/json");
  return new Response(JSON.stringify({ ...body, detail, error_code: errorCode }), { status: response.status, headers });
}

// Better Auth wants a JSON body on every POST; a bare `POST /api/auth/sign-out` with only a
// bearer token is what API clients naturally send, so it gets an empty JSON object.
function withJsonBody(request: Request): Request {
  const isBareSignOut =
    request.method === "POST" &&
    new URL(request.url).pathname.endsWith("/sign-out") &&
    !request.headers.get("content-type") &&
    !request.headers.get("content-length");
  if (!isBareSignOut) return request;
  const headers = new Headers(request.headers);
  headers.set("content-type", "application/json");
  return new Request(request.url, { method: "POST", headers, body: "{}" });
}

export async function handleAuthRequest(request: Request): Promise<Response> {
  const response = await (await auth()).handler(withJsonBody(request));
  return response.status >= 400 ? withEnvelope(response) : response;
}
