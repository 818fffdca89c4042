import { env } from "@/lib/env";
import { ApiError, errorResponse } from "@/lib/errors";
import { applyCors } from "@/lib/http/cors";
import { logInfo } from "@/lib/log";
import { isStopping, tracked } from "@/lib/shutdown";

export type RouteContext = { params: Promise<Record<string, string | string[] | undefined>> };
export type RouteHandler = (request: Request, context: RouteContext) => Promise<Response>;

export interface RequestState {
  requestId: string;
  url: URL;
  userId?: string;
}

type Inner = (request: Request, context: RouteContext, state: RequestState) => Promise<Response> | Response;

const REQUEST_ID = /^[A-Za-z0-9._:-]{8,128}$/;

function requestIdOf(request: Request): string {
  const incoming = request.headers.get("x-request-id");
  return incoming && REQUEST_ID.test(incoming) ? incoming : crypto.randomUUID();
}

// Low-cardinality route for the log line: numeric segments are ids.
function routeOf(pathname: string): string {
  return pathname.replace(/\/\d+(?=\/|$)/g, "/[id]");
}

/**
 * The answer with the wrapper's headers. A response whose headers are immutable (one from fetch)
 * is copied first; every other one gets them in place, without an intermediate Headers object.
 */
function decorated(request: Request, response: Response, requestId: string): Response {
  try {
    response.headers.set("X-Request-Id", requestId);
  } catch {
    response = new Response(response.body, { status: response.status, statusText: response.statusText, headers: response.headers });
    response.headers.set("X-Request-Id", requestId);
  }
  if (isStopping()) response.headers.set("Connection", "close");
  applyCors(request, response.headers);
  return response;
}

/**
 * Every route handler goes through this: nothing thrown inside reaches the client unmapped,
 * every response carries X-Request-Id (and CORS headers for listed origins), and every
 * request is logged as one JSON line.
 */
export function withErrors(handler: Inner, options: { route?: string } = {}): RouteHandler {
  return (request, context) => tracked(async () => {
    const started = performance.now();
    const state: RequestState = { requestId: requestIdOf(request), url: new URL(request.url) };
    let response: Response;
    try {
      response = decorated(request, await handler(request, context, state), state.requestId);
    } catch (error) {
      response = decorated(request, errorResponse(error, state.requestId), state.requestId);
    }
    logInfo("request", {
      request_id: state.requestId,
      method: request.method,
      route: options.route ?? routeOf(state.url.pathname),
      status: response.status,
      duration_ms: Math.round((performance.now() - started) * 100) / 100,
      user_id: state.userId ?? null,
    });
    return response;
  });
}

// A browser attaches the session cookie to cross-site requests too; a state-changing request
// authenticated by cookie must therefore come from our own origin (the host it was sent to)
// or a configured one. Browsers send Origin on every non-GET fetch, so a missing Origin is
// refused as well.
export function assertSameOrigin(request: Request, url: URL) {
  const origin = request.headers.get("origin");
  const config = env();
  const host = request.headers.get("x-forwarded-host") ?? request.headers.get("host") ?? url.host;
  const trusted = [...config.CORS_ORIGINS];
  if (config.BETTER_AUTH_URL) trusted.push(new URL(config.BETTER_AUTH_URL).origin);
  let sameHost = false;
  try {
    sameHost = origin !== null && new URL(origin).host === host;
  } catch {
    sameHost = false;
  }
  if (!sameHost && !(origin && trusted.includes(origin))) {
    throw new ApiError("FORBIDDEN", "Cross-origin request with a session cookie refused; use a bearer token");
  }
}
