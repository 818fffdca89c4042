import type { z } from "zod";
import { authenticate, type SessionUser } from "@/lib/auth/session";
import { env } from "@/lib/env";
import { ApiError, errorResponse, validate } from "@/lib/errors";
import { readJsonObject } from "@/lib/http/body";
import { applyCors, preflight } from "@/lib/http/cors";
import { logInfo } from "@/lib/log";
import { rateLimitHeaders } from "@/lib/rate-limit";
import { tracked } from "@/lib/shutdown";

type RouteContext = { params: Promise<Record<string, string | string[] | undefined>> };
type Handler = (request: Request, context: RouteContext) => Promise<Response>;

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

function withHeaders(response: Response, extra: Headers): Response {
  try {
    for (const [name, value] of extra) response.headers.set(name, value);
    return response;
  } catch {
    // Some responses (e.g. from fetch) have immutable headers: copy them.
    const headers = new Headers(response.headers);
    for (const [name, value] of extra) headers.set(name, value);
    return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
  }
}

/**
 * Every route handler goes through this: nothing thrown inside reaches the client unmapped,
 * every response carries X-Request-Id (and CORS headers for listed origins), and every
 * request is logged as one JSON line.
 */
export function withErrors(handler: Inner, options: { route?: string } = {}): Handler {
  return (request, context) => tracked(async () => {
    const started = performance.now();
    const state: RequestState = { requestId: requestIdOf(request), url: new URL(request.url) };
    let response: Response;
    try {
      response = await handler(request, context, state);
    } catch (error) {
      response = errorResponse(error, state.requestId);
    }
    const extra = new Headers({ "X-Request-Id": state.requestId });
    applyCors(request, extra);
    response = withHeaders(response, extra);
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

function queryObject(url: URL): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
  for (const key of new Set(url.searchParams.keys())) {
    const values = url.searchParams.getAll(key);
    query[key] = values.length === 1 ? values[0]! : values;
  }
  return query;
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

// A browser attaches the session cookie to cross-site requests too; a state-changing request
// authenticated by cookie must therefore come from our own origin (the host it was sent to)
// or a configured one. Browsers send Origin on every non-GET fetch, so a missing Origin is
// refused as well.
function assertSameOrigin(request: Request, url: URL) {
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

interface Schemas<P, Q, B> {
  params?: z.ZodType<P>;
  query?: z.ZodType<Q>;
  body?: z.ZodType<B>;
}

interface AuthedInput<P, Q, B> {
  request: Request;
  user: SessionUser;
  params: P;
  query: Q;
  body: B;
}

/**
 * An authenticated route: credentials are checked first (before the body is read; writes are
 * counted against the user's limit in the same query), then the CSRF rule for cookie writes,
 * then path, query and body are validated with the given zod schemas, then the handler runs.
 */
export function withUser<P = undefined, Q = undefined, B = undefined>(
  schemas: Schemas<P, Q, B>,
  handler: (input: AuthedInput<P, Q, B>) => Promise<Response>,
): Handler {
  return withErrors(async (request, context, state) => {
    const isWrite = !SAFE_METHODS.has(request.method);
    const { user, via, canWrite, writeLimit } = await authenticate(request, { countWrite: isWrite });
    state.userId = user.id;
    if (isWrite && !canWrite) throw new ApiError("FORBIDDEN", "This API key has the read scope; writes need a read-write key");
    if (via === "cookie" && isWrite) assertSameOrigin(request, state.url);
    const params = schemas.params ? validate(schemas.params, await context.params) : (undefined as P);
    const query = schemas.query ? validate(schemas.query, queryObject(state.url)) : (undefined as Q);
    const body = schemas.body ? validate(schemas.body, await readJsonObject(request)) : (undefined as B);
    const response = await handler({ request, user, params, query, body });
    if (writeLimit) for (const [name, value] of Object.entries(rateLimitHeaders(writeLimit))) response.headers.set(name, value);
    return response;
  });
}

type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/**
 * For the methods a path does not support: a 405 in the envelope with `Allow`, so that Next
 * never answers with its own empty 405; and the OPTIONS (CORS preflight) answer.
 */
export function otherMethods(allowed: Method[]) {
  const allow = [...allowed, ...(allowed.includes("GET") ? ["HEAD"] : []), "OPTIONS"].join(", ");
  return {
    notAllowed: withErrors(() => {
      throw new ApiError("METHOD_NOT_ALLOWED", undefined, { headers: { Allow: allow } });
    }),
    OPTIONS: withErrors((request) => preflight(request, allow)),
  };
}
