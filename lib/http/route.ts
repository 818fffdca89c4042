import type { z } from "zod";
import { requireUser, type SessionUser } from "@/lib/auth";
import { ApiError, errorResponse, fieldErrors } from "@/lib/errors";
import { readJsonObject } from "@/lib/http/body";

type RouteContext = { params: Promise<Record<string, string | string[] | undefined>> };
type Handler = (request: Request, context: RouteContext) => Promise<Response>;

/** Every route handler goes through this: nothing thrown inside reaches the client unmapped. */
export function withErrors(handler: (request: Request, context: RouteContext) => Promise<Response> | Response): Handler {
  return async (request, context) => {
    try {
      return await handler(request, context);
    } catch (error) {
      return errorResponse(error);
    }
  };
}

function validate<T>(schema: z.ZodType<T>, input: unknown, prefix: string[] = []): T {
  const result = schema.safeParse(input);
  if (!result.success) throw new ApiError("VALIDATION_ERROR", undefined, { errors: fieldErrors(result.error, prefix) });
  return result.data;
}

function queryObject(url: URL): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
  for (const key of new Set(url.searchParams.keys())) {
    const values = url.searchParams.getAll(key);
    query[key] = values.length === 1 ? values[0]! : values;
  }
  return query;
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
 * An authenticated route: credentials are checked first (before the body is read), then path,
 * query and body are validated with the given zod schemas, then the handler runs.
 */
export function withUser<P = undefined, Q = undefined, B = undefined>(
  schemas: Schemas<P, Q, B>,
  handler: (input: AuthedInput<P, Q, B>) => Promise<Response>,
): Handler {
  return withErrors(async (request, context) => {
    const user = await requireUser(request);
    const params = schemas.params ? validate(schemas.params, await context.params) : (undefined as P);
    const query = schemas.query ? validate(schemas.query, queryObject(new URL(request.url))) : (undefined as Q);
    const body = schemas.body ? validate(schemas.body, await readJsonObject(request)) : (undefined as B);
    return handler({ request, user, params, query, body });
  });
}

const ALL_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const;
type Method = (typeof ALL_METHODS)[number];

/**
 * Handlers for the methods a path does not support, answering 405 in the envelope with `Allow`.
 * Spread into the route's exports so that Next never answers with its own empty 405.
 */
export function methodNotAllowed(allowed: Method[]): Handler {
  const allow = [...new Set([...allowed, ...(allowed.includes("GET") ? ["HEAD"] : []), "OPTIONS"])].join(", ");
  return withErrors(() => {
    throw new ApiError("METHOD_NOT_ALLOWED", undefined, { headers: { Allow: allow } });
  });
}
