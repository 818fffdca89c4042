import type { z } from "zod";
import { Caller } from "@/lib/auth/caller";
import { ApiError, validate, type ErrorCode } from "@/lib/errors";
import { readJsonObject } from "@/lib/http/body";
import { ifMatchVersions, ifNoneMatchHolds, notModified } from "@/lib/http/conditional";
import { fingerprintOf, idempotencyKeyOf, idempotently } from "@/lib/http/idempotency";
import { preflight } from "@/lib/http/cors";
import { assertSameOrigin, withErrors, type RouteContext, type RouteHandler } from "@/lib/http/route";
import { rateLimitHeaders } from "@/lib/rate-limit";

// One declaration per operation: method, path, schemas, the errors it can return, how it
// authenticates and its handler. From it come the route file's exports (`serve`), the OpenAPI
// operation (lib/openapi/document.ts) and the tests' route table (test/api.ts).

export const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;
export type Method = (typeof METHODS)[number];

export interface HeaderSpec {
  description: string;
  required?: boolean;
  /** JSON Schema of the value. */
  schema: Record<string, unknown>;
}

export interface SuccessResponse {
  status: 200 | 201 | 204;
  description: string;
  schema?: z.ZodType;
  /** Response headers beyond the ones the document adds by rule (CORS, rate limits). */
  headers?: Record<string, HeaderSpec>;
}

/** The 201 of a create: the new item, and `Location`, where it now lives. */
export function createdResponse(collection: string, schema: z.ZodType, description: string): SuccessResponse {
  return {
    status: 201,
    description,
    schema,
    headers: {
      Location: {
        description: "URL of the new item",
        required: true,
        // The path and an int4 id (at most 10 digits).
        schema: { type: "string", maxLength: collection.length + 11, pattern: `^${collection}/[1-9][0-9]*$`, example: `${collection}/42` },
      },
    },
  };
}

/** An answer whose body is JSON text made by the database. */
export function jsonText(body: string, init: { status?: number; headers?: Record<string, string> } = {}): Response {
  return new Response(body, { status: init.status, headers: { "content-type": "application/json", ...init.headers } });
}

/** The answer to a create, as createdResponse describes it. */
export function created(collection: string, { item, id }: { item: string; id: number }, headers: Record<string, string> = {}): Response {
  return jsonText(item, { status: 201, headers: { ...headers, Location: `${collection}/${id}` } });
}

/** What an error code means for this operation, where the table's general detail says too little. */
export type ErrorNotes = Partial<Record<ErrorCode, string>>;

interface Input<P, Q, B> {
  request: Request;
  params: P;
  query: Q;
  body: B;
}

interface UserInput<P, Q, B> extends Input<P, Q, B> {
  /** The signed-in user, checked by the first statement the handler runs (lib/auth/caller.ts). */
  caller: Caller;
  /** A versioned write's If-Match: the versions it may overwrite; undefined: unconditional. */
  ifMatch?: number[];
}

interface Common<P, Q, B> {
  method: Method;
  /** OpenAPI form: `/api/tasks/{id}`. */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  tag: string;
  params?: z.ZodType<P>;
  query?: z.ZodType<Q>;
  body?: z.ZodType<B>;
  response: SuccessResponse;
  /** Codes specific to this operation; the ones implied by auth, schemas and body are added. */
  errors?: ErrorCode[];
  notes?: ErrorNotes;
  /** Answers without touching the database (no 503). */
  offline?: boolean;
  /** A create that honours Idempotency-Key: retries replay its first answer (lib/http/idempotency.ts). */
  idempotent?: boolean;
  /** An item with a version: its answers carry an ETag, GET honours If-None-Match and writes If-Match. */
  versioned?: boolean;
}

export interface UserOperation<P = unknown, Q = unknown, B = unknown> extends Common<P, Q, B> {
  auth: "user";
  handler: (input: UserInput<P, Q, B>) => Promise<Response>;
}

export interface PublicOperation<P = unknown, Q = unknown, B = unknown> extends Common<P, Q, B> {
  auth: "public";
  hidden?: boolean;
  handler: (input: Input<P, Q, B>) => Promise<Response> | Response;
}

/**
 * Served by Better Auth (lib/auth/handler.ts), declared here for the document, the tests and
 * the list of auth endpoints the handler lets through. Better Auth limits every endpoint per
 * IP and checks the Origin of browser writes. `session`: needs a signed-in session (401
 * without); `optional-session`: uses one when present.
 */
export interface ExternalOperation extends Omit<Common<unknown, unknown, unknown>, "params" | "query" | "handler"> {
  auth: "public" | "session" | "optional-session";
  /** Checked by this API before Better Auth sees the body (400 VALIDATION_ERROR). */
  guard?: z.ZodType;
  /** The body may be left out. */
  bodyOptional?: boolean;
}

export type Operation = UserOperation<any, any, any> | PublicOperation<any, any, any>;
export type AnyOperation = Operation | ExternalOperation;

/** An operation for the signed-in user (session, API key or cookie). */
export const userOperation = <P = undefined, Q = undefined, B = undefined>(
  spec: Omit<UserOperation<P, Q, B>, "auth">,
): UserOperation<P, Q, B> => ({ ...spec, auth: "user" });

/** An operation anyone may call. `hidden` ones (the docs page's assets) are not API operations. */
export const publicOperation = <P = undefined, Q = undefined, B = undefined>(
  spec: Omit<PublicOperation<P, Q, B>, "auth">,
): PublicOperation<P, Q, B> => ({ ...spec, auth: "public" });

export const externalOperation = (spec: ExternalOperation) => spec;

const isWrite = (method: string) => method !== "GET" && method !== "HEAD" && method !== "OPTIONS";

/** A versioned item's writes (not its create) honour If-Match. */
export const takesIfMatch = (operation: AnyOperation) => Boolean(operation.versioned) && ["PUT", "PATCH", "DELETE"].includes(operation.method);

export const isExternal = (operation: AnyOperation): operation is ExternalOperation => !("handler" in operation);

/** Every error code an operation can answer with: its own plus those its shape implies. */
export function errorCodesOf(operation: AnyOperation): ErrorCode[] {
  const codes = new Set<ErrorCode>();
  const hasInput = ("params" in operation && operation.params) || ("query" in operation && operation.query) || operation.body;
  if (hasInput) codes.add("VALIDATION_ERROR");
  if (operation.body) for (const code of ["INVALID_JSON", "PAYLOAD_TOO_LARGE", "UNSUPPORTED_MEDIA_TYPE"] as const) codes.add(code);
  if (operation.auth === "user" || operation.auth === "session") codes.add("UNAUTHORIZED");
  if (operation.auth !== "public" || isExternal(operation)) {
    codes.add("RATE_LIMITED");
    if (isWrite(operation.method)) codes.add("FORBIDDEN");
  }
  if (operation.idempotent) for (const code of ["IDEMPOTENCY_KEY_IN_USE", "IDEMPOTENCY_KEY_REUSED"] as const) codes.add(code);
  if (takesIfMatch(operation)) codes.add("PRECONDITION_FAILED");
  for (const code of operation.errors ?? []) codes.add(code);
  codes.add("INTERNAL_ERROR");
  if (!operation.offline) codes.add("DATABASE_UNAVAILABLE");
  return [...codes];
}

async function inputOf<P, Q, B>(operation: Common<P, Q, B>, request: Request, context: RouteContext, url: URL) {
  const params = operation.params ? validate(operation.params, await context.params) : (undefined as P);
  const query = operation.query ? validate(operation.query, queryObject(url)) : (undefined as Q);
  const body = operation.body ? validate(operation.body, await readJsonObject(request)) : (undefined as B);
  return { request, params, query, body };
}

function queryObject(url: URL): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
  for (const key of new Set(url.searchParams.keys())) {
    const values = url.searchParams.getAll(key);
    query[key] = values.length === 1 ? values[0]! : values;
  }
  return query;
}

/**
 * An operation as a Next route handler. An authenticated one reads the request first (the
 * CSRF rule for cookie writes, Idempotency-Key, If-Match, path, query and body), then runs its
 * handler, whose first statement also checks the credentials and counts a write against the
 * user's limit (lib/auth/caller.ts): one round trip. When anything fails before the credentials
 * were judged, they are checked on their own first, so that a client without valid credentials
 * gets 401 (and one over its limit 429) whatever else is wrong with its request.
 */
function handlerOf(operation: Operation): RouteHandler {
  if (operation.auth === "public") {
    return withErrors(async (request, context, state) => operation.handler(await inputOf(operation, request, context, state.url)));
  }
  return withErrors(async (request, context, state) => {
    const write = isWrite(request.method);
    const caller = Caller.of(request, write);
    // Without credentials the answer is 401 whatever the request says: its body is never read.
    if (caller.via === undefined) await caller.id();
    try {
      if (caller.via === "cookie" && write) assertSameOrigin(request, state.url);
      const key = operation.idempotent ? idempotencyKeyOf(request) : undefined;
      const ifMatch = takesIfMatch(operation) ? ifMatchVersions(request) : undefined;
      const input = await inputOf(operation, request, context, state.url);
      const run = (caller: Caller) => operation.handler({ ...input, caller, ifMatch });
      let response = key
        ? await idempotently(caller, { key, fingerprint: fingerprintOf(request.method, state.url.pathname, input.body) }, run)
        : await run(caller);
      const etag = operation.versioned && !write && response.status === 200 ? response.headers.get("etag") : null;
      if (etag && ifNoneMatchHolds(request, etag)) response = notModified(etag);
      if (caller.writeLimit) for (const [name, value] of Object.entries(rateLimitHeaders(caller.writeLimit))) response.headers.set(name, value);
      return response;
    } catch (error) {
      if (!caller.judged) await caller.id();
      throw error;
    } finally {
      state.userId = caller.userId;
    }
  });
}

export type RouteExports = Record<Method | "OPTIONS", RouteHandler>;

/**
 * The exports of one route file: a handler per declared operation, and for every other method
 * a 405 in the envelope with `Allow` (never Next's bare 405), plus the CORS preflight answer.
 */
export function serve(...operations: Operation[]): RouteExports {
  const allowed = operations.map((operation) => operation.method);
  const allow = [...allowed, ...(allowed.includes("GET") ? ["HEAD"] : []), "OPTIONS"].join(", ");
  const notAllowed = Object.assign(
    withErrors(() => {
      throw new ApiError("METHOD_NOT_ALLOWED", undefined, { headers: { Allow: allow } });
    }),
    { notAllowed: true },
  );
  const exports = { OPTIONS: withErrors((request) => preflight(request, allow)) } as RouteExports;
  for (const method of METHODS) {
    const operation = operations.find((candidate) => candidate.method === method);
    exports[method] = operation ? Object.assign(handlerOf(operation), { operation }) : notAllowed;
  }
  return exports;
}

/** The operation a route export serves, or undefined for the 405 and OPTIONS answers. */
export function operationOf(handler: unknown): Operation | undefined {
  return (handler as { operation?: Operation } | undefined)?.operation;
}

/** Whether a route export is `serve`'s 405 answer for a method the path does not support. */
export function isNotAllowed(handler: unknown): boolean {
  return (handler as { notAllowed?: boolean } | undefined)?.notAllowed === true;
}
