import { z } from "zod";
import { isClientAbort, isDatabaseUnavailable } from "@/lib/db/failures";
import { logError, logInfo } from "@/lib/log";

export const ERROR_CODES = {
  VALIDATION_ERROR: { status: 400, detail: "Request validation failed" },
  INVALID_JSON: { status: 400, detail: "Request body must be a JSON object" },
  UNAUTHORIZED: { status: 401, detail: "Authentication required" },
  FORBIDDEN: { status: 403, detail: "Forbidden" },
  TASK_NOT_FOUND: { status: 404, detail: "Task not found" },
  LIST_NOT_FOUND: { status: 404, detail: "List not found" },
  NOT_FOUND: { status: 404, detail: "Not found" },
  METHOD_NOT_ALLOWED: { status: 405, detail: "Method not allowed" },
  PAYLOAD_TOO_LARGE: { status: 413, detail: "Request body is larger than 64 KiB" },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, detail: "Request body must be application/json" },
  LIST_NAME_TAKEN: { status: 409, detail: "You already have a list with this name" },
  IDEMPOTENCY_KEY_IN_USE: { status: 409, detail: "Another request with this Idempotency-Key changed its record meanwhile; retry after Retry-After seconds" },
  SYNC_TOKEN_EXPIRED: { status: 410, detail: "This sync token is older than the 30 days changes are kept; sync again without `since`" },
  PRECONDITION_FAILED: { status: 412, detail: "The task changed since the version in If-Match; get it again and retry" },
  IDEMPOTENCY_KEY_REUSED: { status: 422, detail: "This Idempotency-Key was used with another request; use a new key for a new request" },
  USER_ALREADY_EXISTS: { status: 422, detail: "A user with this email already exists" },
  RATE_LIMITED: { status: 429, detail: "Too many requests" },
  INTERNAL_ERROR: { status: 500, detail: "Internal server error" },
  DATABASE_UNAVAILABLE: { status: 503, detail: "Database unavailable, retry shortly" },
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** Bounds of every error body, whatever a request sent: the document states them. */
export const ERROR_LIMITS = { detail: 1000, errors: 100, path: 200, message: 500 } as const;

const clip = (text: string, max: number) => ([...text].length <= max ? text : `${[...text].slice(0, max - 1).join("")}…`);

export const fieldErrorSchema = z.object({
  path: z.string().meta({ description: "The failing field, e.g. `title`", example: "title" }),
  message: z.string().meta({ example: "must not be empty" }),
});

export const errorBodySchema = z
  .object({
    detail: z.string().meta({ description: "Human-readable; safe to show", example: "Task not found" }),
    error_code: z.string().meta({ description: "Stable machine-readable code; also sent as X-Error-Code" }),
    errors: z.array(fieldErrorSchema).optional().meta({ description: "Only on VALIDATION_ERROR: one entry per failing field" }),
    request_id: z.string().optional().meta({ description: "Same as the X-Request-Id response header; quote it in bug reports" }),
  })
  .meta({ id: "Error" });

export type FieldError = z.infer<typeof fieldErrorSchema>;
export type ErrorBody = z.infer<typeof errorBodySchema>;

export class ApiError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    detail: string = ERROR_CODES[code].detail,
    readonly extra: { errors?: FieldError[]; headers?: Record<string, string> } = {},
  ) {
    super(detail);
    this.name = "ApiError";
    this.status = ERROR_CODES[code].status;
  }
}

const RETRY_AFTER_SECONDS = "2";

/** Headers that a client needs to act on an error, whichever route produced it. */
export function errorHeaders(status: number, code: string): Record<string, string> {
  const headers: Record<string, string> = { "X-Error-Code": code, "Cache-Control": "no-store" };
  if (status === 401) headers["WWW-Authenticate"] = "Bearer";
  if (status === 503) headers["Retry-After"] = RETRY_AFTER_SECONDS;
  return headers;
}

export function fieldErrors(error: z.ZodError, prefix: string[] = []): FieldError[] {
  return boundedFieldErrors(
    error.issues.flatMap((issue) => {
      const base = [...prefix, ...issue.path.map(String)];
      if (issue.code === "unrecognized_keys") {
        return issue.keys.map((key) => ({ path: [...base, key].join("."), message: "Unknown field" }));
      }
      return [{ path: base.join(".") || "body", message: issue.message }];
    }),
  );
}

/** At most ERROR_LIMITS.errors entries, each path and message clipped to its limit. */
export function boundedFieldErrors(errors: FieldError[]): FieldError[] {
  return errors
    .slice(0, ERROR_LIMITS.errors)
    .map(({ path, message }) => ({ path: clip(path, ERROR_LIMITS.path), message: clip(message, ERROR_LIMITS.message) }));
}

/** A detail passed through from elsewhere (Better Auth), clipped to its limit. */
export const boundedDetail = (detail: string) => clip(detail, ERROR_LIMITS.detail);

/** The input parsed by `schema`, or a VALIDATION_ERROR naming every failing field. */
export function validate<T>(schema: z.ZodType<T>, input: unknown): T {
  const result = schema.safeParse(input);
  if (!result.success) throw new ApiError("VALIDATION_ERROR", undefined, { errors: fieldErrors(result.error) });
  return result.data;
}

function toApiError(error: unknown, requestId: string | undefined): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof z.ZodError) {
    return new ApiError("VALIDATION_ERROR", undefined, { errors: fieldErrors(error) });
  }
  // The client went away while sending its body (lib/http/body.ts maps the usual case): not a
  // database outage and not a bug; the answer cannot reach the client anyway.
  if (isClientAbort(error)) {
    logInfo("client aborted the request", { request_id: requestId });
    return new ApiError("INVALID_JSON", "Request body ended before it was complete");
  }
  if (isDatabaseUnavailable(error)) {
    logError("database unavailable", error, { request_id: requestId });
    return new ApiError("DATABASE_UNAVAILABLE");
  }
  logError("unhandled error", error, { request_id: requestId });
  return new ApiError("INTERNAL_ERROR");
}

/** The single place where anything thrown becomes the contract's error envelope. */
export function errorResponse(error: unknown, requestId?: string): Response {
  const apiError = toApiError(error, requestId);
  const body: ErrorBody = { detail: boundedDetail(apiError.message), error_code: apiError.code };
  if (apiError.extra.errors) body.errors = boundedFieldErrors(apiError.extra.errors);
  if (requestId) body.request_id = requestId;
  return Response.json(body, {
    status: apiError.status,
    headers: { ...errorHeaders(apiError.status, apiError.code), ...apiError.extra.headers },
  });
}
