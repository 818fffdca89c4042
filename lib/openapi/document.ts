import { OpenAPIRegistry, OpenApiGeneratorV31, type RouteConfig } from "@asteasolutions/zod-to-openapi";
import { z } from "zod";
import { API_KEY_PREFIX, API_KEYS_MAX } from "@/lib/auth/api-keys";
import { URL_MAX } from "@/lib/auth/schema";
import { ERROR_CODES, ERROR_LIMITS, errorBodySchema, type ErrorCode } from "@/lib/errors";
import { IDEMPOTENCY_KEY_MAX, REPLAY_HOURS } from "@/lib/http/idempotency";
import { errorCodesOf, isExternal, takesIfMatch, type AnyOperation } from "@/lib/http/operation";
import { OPERATIONS } from "@/lib/operations";

// The document is generated from the same zod schemas the routes validate with, so the two
// cannot disagree. `npm run openapi` writes it to openapi.json; a test fails when that is stale,
// and `npm run lint:openapi` holds it to Spectral's OWASP rules and Redocly's recommended ones.

type Responses = RouteConfig["responses"];
type Header = { description: string; required?: boolean; schema: Record<string, unknown> } | { $ref: string };
type Headers = Record<string, Header>;

// ---------------------------------------------------------------------------------------------
// Response headers

const WINDOW_MAX_S = 86_400; // lib/env.ts: no rate-limit window is longer than a day
const LIMIT_MAX = 1_000_000_000; // lib/env.ts: the largest configurable limit
const UNIX_SECONDS = { type: "integer", format: "int64", minimum: 0, maximum: Number.MAX_SAFE_INTEGER, example: 1_764_604_800 };

const RATE_LIMIT = {
  "X-RateLimit-Limit": {
    description: "Requests allowed per window",
    schema: { type: "integer", format: "int32", minimum: 1, maximum: LIMIT_MAX, example: 300 },
  },
  "X-RateLimit-Remaining": {
    description: "Requests left in this window",
    schema: { type: "integer", format: "int32", minimum: 0, maximum: LIMIT_MAX, example: 299 },
  },
  "X-RateLimit-Reset": { description: "When the window resets, in Unix seconds", schema: UNIX_SECONDS },
};

const RATE_LIMIT_WHEN =
  "Sent with every successful write to a task (it counts against your limit) and with every 429; " +
  "absent on other responses.";

// Declared once and referenced where they are optional; inlined as required where the server
// always sends them.
const HEADER_COMPONENTS: Record<string, { description: string; schema: Record<string, unknown> }> = {
  "Access-Control-Allow-Origin": {
    description: "Only when the request's `Origin` is listed in the server's `CORS_ORIGINS` (none by default)",
    schema: { type: "string", format: "uri", maxLength: URL_MAX, example: "https://app.example.com" },
  },
  ...Object.fromEntries(
    Object.entries(RATE_LIMIT).map(([name, header]) => [name, { ...header, description: `${header.description}. ${RATE_LIMIT_WHEN}` }]),
  ),
};

const ref = (name: string): Header => ({ $ref: `#/components/headers/${name}` });
const CORS: Headers = { "Access-Control-Allow-Origin": ref("Access-Control-Allow-Origin") };
const OPTIONAL_RATE_LIMIT: Headers = {
  "X-RateLimit-Limit": ref("X-RateLimit-Limit"),
  "X-RateLimit-Remaining": ref("X-RateLimit-Remaining"),
  "X-RateLimit-Reset": ref("X-RateLimit-Reset"),
};
const REQUIRED_RATE_LIMIT: Headers = Object.fromEntries(
  Object.entries(RATE_LIMIT).map(([name, header]) => [name, { ...header, required: true }]),
);

/** The headers of a 2xx or 4xx response: CORS, and the rate-limit headers (optional unless given). */
function headersOf(status: number, headers: Headers = {}): Headers {
  return status >= 500 ? { ...headers, ...CORS } : { ...OPTIONAL_RATE_LIMIT, ...headers, ...CORS };
}

const retryAfter: Header = {
  description: "Seconds to wait before retrying",
  required: true,
  schema: { type: "integer", format: "int32", minimum: 1, maximum: WINDOW_MAX_S, example: 2 },
};

// ---------------------------------------------------------------------------------------------
// Responses

type Notes = Partial<Record<ErrorCode, string>>;

function errorResponses(codes: ErrorCode[], notes: Notes = {}): Responses {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of codes) byStatus.set(ERROR_CODES[code].status, [...(byStatus.get(ERROR_CODES[code].status) ?? []), code]);
  const responses: Responses = {};
  for (const [status, statusCodes] of [...byStatus].sort(([a], [b]) => a - b)) {
    const headers: Headers = {
      "X-Error-Code": { description: "Same as `error_code`", required: true, schema: { type: "string", enum: statusCodes } },
    };
    if (status === 401) {
      headers["WWW-Authenticate"] = { description: "Authentication scheme", required: true, schema: { type: "string", enum: ["Bearer"] } };
    }
    if (status === 503 || status === 429) headers["Retry-After"] = retryAfter;
    if (statusCodes.includes("IDEMPOTENCY_KEY_IN_USE")) {
      headers["Retry-After"] = { ...retryAfter, description: "With `IDEMPOTENCY_KEY_IN_USE`: seconds to wait before retrying", required: statusCodes.length === 1 };
    }
    if (status === 429) Object.assign(headers, REQUIRED_RATE_LIMIT);
    responses[status] = {
      description: statusCodes.map((code) => `\`${code}\`: ${notes[code] ?? ERROR_CODES[code].detail}`).join("; "),
      headers: headersOf(status, headers),
      content: {
        "application/json": {
          schema: z.intersection(errorBodySchema, z.object({ error_code: z.enum(statusCodes) })),
        },
      },
    };
  }
  return responses;
}

const json = <T extends z.ZodType>(schema: T, description: string, headers: Headers = {}) => ({
  description,
  headers: headersOf(200, headers),
  content: { "application/json": { schema } },
});

const jsonBody = <T extends z.ZodType>(schema: T, required = true) => ({ required, content: { "application/json": { schema } } });

// ---------------------------------------------------------------------------------------------
// Conditional and idempotent requests (lib/http/conditional.ts, lib/http/idempotency.ts)

const ETAG_SCHEMA = { type: "string", maxLength: 17, pattern: '^"[0-9]+"$', example: '"42"' };
const ETAG: Header = { description: "The task's version: a strong ETag, new on every successful write", required: true, schema: ETAG_SCHEMA };
const REPLAYED: Header = {
  description: "`true` when this is the stored answer to an earlier request with the same `Idempotency-Key`",
  schema: { type: "string", enum: ["true"] },
};
const ENTITY_TAGS = { type: "string", maxLength: 1024, example: '"42"' };

const idempotencyKeyHeader = z
  .string()
  .optional()
  .meta({
    description:
      `Makes retries safe: the first answer is stored for ${REPLAY_HOURS} hours and replayed to your retries with the same key ` +
      "(`Idempotent-Replayed: true`). The same key with another body: 422; while the first request runs: 409. Errors are not stored.",
    minLength: 1,
    maxLength: IDEMPOTENCY_KEY_MAX,
    pattern: "^[\\x20-\\x7E]+$",
    example: "3f1c9a52-7d1e-4b8e-9a53-0c2d6b1e8f47",
  });

/** The request headers an operation's declaration implies. */
function requestHeadersOf(operation: AnyOperation) {
  const shape: Record<string, z.ZodType> = {};
  if (operation.idempotent) shape["Idempotency-Key"] = idempotencyKeyHeader;
  if (operation.versioned && operation.method === "GET") {
    shape["If-None-Match"] = z.string().optional().meta({ ...ENTITY_TAGS, description: "An ETag you hold (or `*`): 304 with no body while the task is unchanged" });
  } else if (takesIfMatch(operation)) {
    shape["If-Match"] = z.string().optional().meta({
      ...ENTITY_TAGS,
      description: "The ETag you last read: the write happens only if the task is still at that version, else 412 `PRECONDITION_FAILED`",
    });
  }
  return Object.keys(shape).length ? z.object(shape) : undefined;
}

// ---------------------------------------------------------------------------------------------
// Operations

/** Task operations: a session (bearer token or cookie) or an API key. */
const taskSecurity: Record<string, string[]>[] = [{ bearerAuth: [] }, { apiKeyAuth: [] }, { cookieAuth: [] }];
/** API key management: a signed-in session only; an API key is not accepted. */
const sessionSecurity: Record<string, string[]>[] = [{ bearerAuth: [] }, { cookieAuth: [] }];
// No credentials needed. `[{}]` (one empty requirement) rather than `[]`: the OWASP ruleset
// takes `[]` on a write for a forgotten security declaration.
const publicSecurity: Record<string, string[]>[] = [{}];

const taskNotes: Notes = {
  FORBIDDEN: "the API key has the `read` scope (writes need a `read-write` key), or a write authenticated by cookie came from an untrusted `Origin`",
  RATE_LIMITED: "too many writes by this user, or too many requests without valid credentials from this IP address",
};
// Better Auth refuses a browser's state-changing request (it has a cookie or fetch-metadata
// headers) whose Origin is missing or not trusted; and limits every endpoint per IP address.
const authNotes: Notes = {
  FORBIDDEN: "a browser request (with a cookie or `Sec-Fetch-*` headers) whose `Origin` is missing or not trusted",
  RATE_LIMITED: "too many requests to this endpoint from this IP address",
};
const keyNotes: Notes = authNotes;

function register(registry: OpenAPIRegistry) {
  registry.registerComponent("securitySchemes", "bearerAuth", {
    type: "http",
    scheme: "bearer",
    description:
      "`Authorization: Bearer <credential>`. The credential is a session token (the `token` from sign-up or sign-in, or " +
      "the `set-auth-token` response header), or an API key from `POST /api/auth/api-key/create`: " +
      `\`Authorization: Bearer ${API_KEY_PREFIX}...\` works like \`x-api-key: ${API_KEY_PREFIX}...\`, on the task operations only.`,
  });
  registry.registerComponent("securitySchemes", "apiKeyAuth", {
    type: "apiKey",
    in: "header",
    name: "x-api-key",
    description:
      `An API key (\`${API_KEY_PREFIX}...\`), the same as \`Authorization: Bearer ${API_KEY_PREFIX}...\`. Task operations only. ` +
      "A `read` key may only read: its writes answer 403 `FORBIDDEN`.",
  });
  registry.registerComponent("securitySchemes", "cookieAuth", {
    type: "apiKey",
    in: "cookie",
    name: "better-auth.session_token",
    description: "The session cookie set by sign-up and sign-in (`__Secure-` prefixed over HTTPS). Browsers only.",
  });
  for (const [name, header] of Object.entries(HEADER_COMPONENTS)) registry.registerComponent("headers", name, header as never);

  for (const operation of OPERATIONS) if (!("hidden" in operation && operation.hidden)) registerOperation(registry, operation);
}

const SECURITY: Record<AnyOperation["auth"], Record<string, string[]>[]> = {
  user: taskSecurity,
  session: sessionSecurity,
  "optional-session": sessionSecurity,
  public: publicSecurity,
};

/** One operation of the document, from its declaration. */
function registerOperation(registry: OpenAPIRegistry, operation: AnyOperation) {
  const { response } = operation;
  // A user's write counts against the write limit; the route wrapper says where the count stands.
  const countsWrite = operation.auth === "user" && operation.method !== "GET";
  const headers: Headers = {
    ...(countsWrite ? REQUIRED_RATE_LIMIT : {}),
    ...response.headers,
    ...(operation.versioned && response.status !== 204 ? { ETag: ETAG } : {}),
    ...(operation.idempotent ? { "Idempotent-Replayed": REPLAYED } : {}),
  };
  const requestHeaders = requestHeadersOf(operation);
  const notes: Notes = {
    ...(operation.auth === "user" ? taskNotes : isExternal(operation) ? (operation.auth === "session" ? keyNotes : authNotes) : {}),
    ...operation.notes,
  };
  const params = "params" in operation ? operation.params : undefined;
  const query = "query" in operation ? operation.query : undefined;
  const optionalBody = isExternal(operation) && operation.bodyOptional;
  registry.registerPath({
    method: operation.method.toLowerCase() as "get" | "post" | "put" | "patch" | "delete",
    path: operation.path,
    operationId: operation.operationId,
    tags: [operation.tag],
    summary: operation.summary,
    description: operation.description,
    security: SECURITY[operation.auth],
    request: {
      ...(params ? { params: params as z.ZodObject } : {}),
      ...(query ? { query: query as z.ZodObject } : {}),
      ...(requestHeaders ? { headers: requestHeaders } : {}),
      ...(operation.body ? { body: jsonBody(operation.body, !optionalBody) } : {}),
    },
    responses: {
      [response.status]: response.schema
        ? json(response.schema, response.description, headers)
        : { description: response.description, headers: headersOf(response.status, headers) },
      ...(operation.versioned && operation.method === "GET"
        ? { 304: { description: "Not modified: `If-None-Match` holds the current ETag. No body", headers: headersOf(304, { ETag: ETAG }) } }
        : {}),
      ...errorResponses(errorCodesOf(operation), notes),
    },
  });
}

// ---------------------------------------------------------------------------------------------
// Facts about responses that their zod schemas (in lib/errors.ts, lib/tasks/schema.ts and
// lib/auth/api-keys.ts) do not state: the bounds of what the server sends. Each one is true by
// construction, for the reason given. A path that no longer exists fails generation.

const timestamp = { maxLength: 30 }; // Date#toISOString(): 24 characters (27 past the year 9999)
const betterAuthId = { maxLength: 64, pattern: "^[A-Za-z0-9_-]+$" }; // 32 random letters and digits


const apiKeyLimits = {
  id: betterAuthId,
  name: { maxLength: 32 }, // the plugin's maximumNameLength
  start: { maxLength: 16, pattern: `^${API_KEY_PREFIX}[A-Za-z]*$` }, // the key's first 6 characters
  prefix: { maxLength: 16, pattern: `^${API_KEY_PREFIX}$` },
  referenceId: betterAuthId,
  // Only the server sets a key's permissions, always to one of the two scopes.
  permissions: {
    $replace: {
      type: ["object", "null"],
      properties: {
        tasks: { type: "array", maxItems: 2, uniqueItems: true, items: { type: "string", enum: ["read", "write"] } },
      },
      required: ["tasks"],
      additionalProperties: false,
      description: 'The scope: `{"tasks": ["read"]}` or `{"tasks": ["read", "write"]}`',
    },
  },
  expiresAt: timestamp,
  lastRequest: timestamp,
  createdAt: timestamp,
  updatedAt: timestamp,
};

const RESPONSE_LIMITS: Record<string, Record<string, Record<string, unknown>>> = {
  Error: {
    detail: { maxLength: ERROR_LIMITS.detail },
    error_code: { maxLength: 64, pattern: "^[A-Z][A-Z0-9_]*$" },
    errors: { maxItems: ERROR_LIMITS.errors },
    "errors[].path": { maxLength: ERROR_LIMITS.path },
    "errors[].message": { maxLength: ERROR_LIMITS.message },
    request_id: { maxLength: 128, pattern: "^[A-Za-z0-9._:-]{8,128}$" }, // lib/http/route.ts
  },
  ApiKey: apiKeyLimits,
  ApiKeyCreated: {
    ...apiKeyLimits,
    // The prefix and 48 random letters
    key: { maxLength: 64, pattern: `^${API_KEY_PREFIX}[A-Za-z]+$`, example: `${API_KEY_PREFIX}${"VbzkQmXcTzRw".repeat(4)}` },
  },
  // The server refuses to create more keys than this per user.
  ApiKeyList: { apiKeys: { maxItems: API_KEYS_MAX }, total: { maximum: API_KEYS_MAX } },
};

type Schema = Record<string, unknown> & { properties?: Record<string, Schema>; items?: Schema };

function applyResponseLimits(schemas: Record<string, Schema>) {
  for (const [component, limits] of Object.entries(RESPONSE_LIMITS)) {
    for (const [path, patch] of Object.entries(limits)) {
      let parent: Record<string, Schema> | undefined;
      let key = "";
      let schema: Schema | undefined = schemas[component];
      for (const step of path.split(".")) {
        const [name, ...arrays] = step.split("[]");
        parent = schema?.properties;
        key = name!;
        schema = parent?.[key];
        for (let i = 0; i < arrays.length; i++) {
          parent = schema as Record<string, Schema> | undefined;
          key = "items";
          schema = schema?.items;
        }
      }
      if (!schema || !parent) throw new Error(`OpenAPI response limits: no ${component}.${path}`);
      if ("$replace" in patch) parent[key] = patch.$replace as Schema;
      else Object.assign(schema, patch);
    }
  }
}

const INT32 = 2 ** 31;

/** Every integer gets the format its bounds imply (OWASP API4: state the size). */
function addIntegerFormats(node: unknown) {
  if (Array.isArray(node)) return node.forEach(addIntegerFormats);
  if (!node || typeof node !== "object") return;
  const schema = node as Record<string, unknown>;
  const types = Array.isArray(schema.type) ? schema.type : [schema.type];
  if (types.includes("integer") && schema.format === undefined) {
    const { minimum, maximum } = schema as { minimum?: number; maximum?: number };
    const int32 = minimum !== undefined && maximum !== undefined && minimum >= -INT32 && maximum < INT32;
    schema.format = int32 ? "int32" : "int64";
  }
  Object.values(schema).forEach(addIntegerFormats);
}

export function generateOpenApiDocument() {
  const registry = new OpenAPIRegistry();
  register(registry);
  const document = new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: "3.1.0",
    info: {
      title: "Task API",
      version: "1.0.0",
      description:
        "A multi-user task service. Every error is `{detail, error_code}` with the same code in `X-Error-Code`; " +
        "validation errors add `errors[]`. An unknown `/api` path answers 404 `NOT_FOUND`; a method a path " +
        "does not support answers 405 `METHOD_NOT_ALLOWED` with `Allow`.",
      contact: { name: "Task API maintainers" },
      license: { name: "Proprietary: all rights reserved", identifier: "LicenseRef-Proprietary" },
    },
    servers: [
      {
        url: "/",
        description: "The deployment serving this document: local, preview or production",
        "x-internal": false,
      } as never,
    ],
    tags: [
      { name: "Auth", description: "Better Auth, email and password" },
      { name: "API keys", description: "Long-lived credentials for scripts, managed with a signed-in session" },
      { name: "Tasks", description: "Your tasks; nobody else's are visible" },
      { name: "Lists", description: "Your lists of tasks" },
      { name: "Health", description: "Liveness of the API and its database" },
      { name: "Docs", description: "This document" },
    ],
  });
  applyResponseLimits(document.components!.schemas as Record<string, Schema>);
  addIntegerFormats(document);
  return document;
}

export type OpenApiDocument = ReturnType<typeof generateOpenApiDocument>;
