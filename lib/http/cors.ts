import { env } from "@/lib/env";

// CORS for external browser clients: only origins listed in CORS_ORIGINS, none by default.
// Credentials are allowed so that a listed first-party front end can use the session cookie;
// cookie writes from any origin still pass the CSRF check in the route wrapper.
const ALLOWED_HEADERS = "Authorization, Content-Type, X-Api-Key, X-Request-Id, Idempotency-Key, If-Match, If-None-Match";
const EXPOSED_HEADERS = [
  "set-auth-token",
  "X-Error-Code",
  "X-Request-Id",
  "Location",
  "ETag",
  "Idempotent-Replayed",
  "Retry-After",
  "X-RateLimit-Limit",
  "X-RateLimit-Remaining",
  "X-RateLimit-Reset",
].join(", ");

export function allowedOrigin(request: Request): string | null {
  const origin = request.headers.get("origin");
  return origin && env().CORS_ORIGINS.includes(origin) ? origin : null;
}

export function applyCors(request: Request, headers: Headers) {
  const origin = allowedOrigin(request);
  headers.append("Vary", "Origin");
  if (!origin) return;
  headers.set("Access-Control-Allow-Origin", origin);
  headers.set("Access-Control-Allow-Credentials", "true");
  headers.set("Access-Control-Expose-Headers", EXPOSED_HEADERS);
}

/** The answer to a preflight: 204 with the allowed methods; the CORS headers are added by the route wrapper. */
export function preflight(request: Request, allow: string): Response {
  const headers = new Headers({ Allow: allow });
  if (allowedOrigin(request)) {
    headers.set("Access-Control-Allow-Methods", allow);
    headers.set("Access-Control-Allow-Headers", ALLOWED_HEADERS);
    headers.set("Access-Control-Max-Age", "600");
  }
  return new Response(null, { status: 204, headers });
}
