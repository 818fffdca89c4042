import { OpenAPIRegistry, OpenApiGeneratorV31, type RouteConfig } from "@asteasolutions/zod-to-openapi";
import { z } from "zod";
import {
  sessionResponseSchema,
  signInBodySchema,
  signInResponseSchema,
  signOutResponseSchema,
  signUpBodySchema,
  signUpResponseSchema,
} from "@/lib/auth/schema";
import { ERROR_CODES, errorBodySchema, type ErrorCode } from "@/lib/errors";
import { healthSchema } from "@/lib/health";
import {
  taskCreateSchema,
  taskListQuerySchema,
  taskPageSchema,
  taskParamsSchema,
  taskPatchSchema,
  taskReplaceSchema,
  taskSchema,
} from "@/lib/tasks/schema";

// The document is generated from the same zod schemas the routes validate with, so the two
// cannot disagree. `npm run openapi` writes it to openapi.json; a test fails when that is stale.

type Responses = RouteConfig["responses"];

const header = (description: string, example?: string) => ({ description, schema: { type: "string" as const, example } });

function errorResponses(codes: ErrorCode[]): Responses {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of codes) byStatus.set(ERROR_CODES[code].status, [...(byStatus.get(ERROR_CODES[code].status) ?? []), code]);
  const responses: Responses = {};
  for (const [status, statusCodes] of byStatus) {
    const headers: Record<string, ReturnType<typeof header>> = { "X-Error-Code": header("Same as error_code") };
    if (status === 401) headers["WWW-Authenticate"] = header("Authentication scheme", "Bearer");
    if (status === 503 || status === 429) headers["Retry-After"] = header("Seconds to wait before retrying", "2");
    if (status === 429) Object.assign(headers, RATE_LIMIT_HEADERS);
    responses[status] = {
      description: statusCodes.map((code) => `\`${code}\`: ${ERROR_CODES[code].detail}`).join("; "),
      headers,
      content: {
        "application/json": {
          schema: z.intersection(errorBodySchema, z.object({ error_code: z.enum(statusCodes) })),
        },
      },
    };
  }
  return responses;
}

const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { "application/json": { schema } },
});

const jsonBody = <T extends z.ZodType>(schema: T) => ({ required: true, content: { "application/json": { schema } } });

const RATE_LIMIT_HEADERS = {
  "X-RateLimit-Limit": header("Requests allowed per window"),
  "X-RateLimit-Remaining": header("Requests left in this window"),
  "X-RateLimit-Reset": header("When the window resets, in Unix seconds"),
};

const taskSecurity: Record<string, string[]>[] = [{ bearerAuth: [] }, { cookieAuth: [] }];
const ALWAYS: ErrorCode[] = ["INTERNAL_ERROR", "DATABASE_UNAVAILABLE"];
// Requests without valid credentials count against the caller's IP; writes against the user.
const AUTHED: ErrorCode[] = ["UNAUTHORIZED", "RATE_LIMITED", ...ALWAYS];
const WRITE: ErrorCode[] = ["FORBIDDEN"];
const WITH_BODY: ErrorCode[] = ["INVALID_JSON", "PAYLOAD_TOO_LARGE", "UNSUPPORTED_MEDIA_TYPE", ...WRITE];

function register(registry: OpenAPIRegistry) {
  registry.registerComponent("securitySchemes", "bearerAuth", {
    type: "http",
    scheme: "bearer",
    description: "The `token` from sign-up or sign-in (or the `set-auth-token` response header).",
  });
  registry.registerComponent("securitySchemes", "cookieAuth", {
    type: "apiKey",
    in: "cookie",
    name: "better-auth.session_token",
    description: "The session cookie set by sign-up and sign-in (`__Secure-` prefixed over HTTPS). Browsers only.",
  });

  registry.registerPath({
    method: "get",
    path: "/api/health",
    operationId: "getHealth",
    tags: ["Health"],
    summary: "Check the database and pending migrations",
    description: "No authentication. The database probe is bounded to about 2 s.",
    responses: { 200: json(healthSchema, "The database answers"), ...errorResponses(ALWAYS) },
  });

  registry.registerPath({
    method: "get",
    path: "/api/tasks",
    operationId: "listTasks",
    tags: ["Tasks"],
    summary: "List your tasks, newest first",
    description: "Keyset paging: follow `next_cursor` until it is null. No duplicates or gaps across pages.",
    security: taskSecurity,
    request: { query: taskListQuerySchema },
    responses: { 200: json(taskPageSchema, "One page of tasks"), ...errorResponses(["VALIDATION_ERROR", ...AUTHED]) },
  });

  registry.registerPath({
    method: "post",
    path: "/api/tasks",
    operationId: "createTask",
    tags: ["Tasks"],
    summary: "Create a task",
    security: taskSecurity,
    request: { body: jsonBody(taskCreateSchema) },
    responses: {
      201: {
        ...json(taskSchema, "The created task"),
        headers: { Location: { ...header("URL of the new task", "/api/tasks/42"), required: true } },
      },
      ...errorResponses(["VALIDATION_ERROR", ...WITH_BODY, ...AUTHED]),
    },
  });

  const byId = { params: taskParamsSchema };
  const byIdErrors: ErrorCode[] = ["VALIDATION_ERROR", "TASK_NOT_FOUND", ...AUTHED];
  registry.registerPath({
    method: "get",
    path: "/api/tasks/{id}",
    operationId: "getTask",
    tags: ["Tasks"],
    summary: "Get one of your tasks",
    description: "Another user's task answers 404, exactly like a missing one.",
    security: taskSecurity,
    request: byId,
    responses: { 200: json(taskSchema, "The task"), ...errorResponses(byIdErrors) },
  });
  registry.registerPath({
    method: "put",
    path: "/api/tasks/{id}",
    operationId: "replaceTask",
    tags: ["Tasks"],
    summary: "Replace a task",
    description: "Full replace: `description` and `completed` reset to null and false when absent.",
    security: taskSecurity,
    request: { ...byId, body: jsonBody(taskReplaceSchema) },
    responses: { 200: json(taskSchema, "The replaced task"), ...errorResponses([...byIdErrors, ...WITH_BODY]) },
  });
  registry.registerPath({
    method: "patch",
    path: "/api/tasks/{id}",
    operationId: "updateTask",
    tags: ["Tasks"],
    summary: "Update some fields of a task",
    description: "Any non-empty subset of `title`, `description`, `completed`.",
    security: taskSecurity,
    request: { ...byId, body: jsonBody(taskPatchSchema) },
    responses: { 200: json(taskSchema, "The updated task"), ...errorResponses([...byIdErrors, ...WITH_BODY]) },
  });
  registry.registerPath({
    method: "delete",
    path: "/api/tasks/{id}",
    operationId: "deleteTask",
    tags: ["Tasks"],
    summary: "Delete a task",
    description: "A second DELETE of the same task answers 404.",
    security: taskSecurity,
    request: byId,
    responses: { 204: { description: "Deleted; empty body" }, ...errorResponses([...byIdErrors, ...WRITE]) },
  });

  const sessionHeaders = {
    "set-auth-token": header("The session token, signed; usable as a bearer token"),
    "Set-Cookie": header("The session cookie, for browsers"),
  };
  const authBodyErrors: ErrorCode[] = ["VALIDATION_ERROR", ...WITH_BODY, "RATE_LIMITED", ...ALWAYS];
  registry.registerPath({
    method: "post",
    path: "/api/auth/sign-up/email",
    operationId: "signUpEmail",
    tags: ["Auth"],
    summary: "Create an account and a session",
    request: { body: jsonBody(signUpBodySchema) },
    responses: {
      200: { ...json(signUpResponseSchema, "Signed up and signed in"), headers: sessionHeaders },
      ...errorResponses([...authBodyErrors, "USER_ALREADY_EXISTS"]),
    },
  });
  registry.registerPath({
    method: "post",
    path: "/api/auth/sign-in/email",
    operationId: "signInEmail",
    tags: ["Auth"],
    summary: "Sign in and get a session token",
    request: { body: jsonBody(signInBodySchema) },
    responses: {
      200: { ...json(signInResponseSchema, "Signed in"), headers: sessionHeaders },
      ...errorResponses([...authBodyErrors, "UNAUTHORIZED"]),
    },
  });
  registry.registerPath({
    method: "post",
    path: "/api/auth/sign-out",
    operationId: "signOut",
    tags: ["Auth"],
    summary: "End the current session",
    description: "The token and cookie stop working at once. Idempotent; a body is optional.",
    security: taskSecurity,
    responses: {
      200: json(signOutResponseSchema, "Signed out"),
      ...errorResponses(["VALIDATION_ERROR", ...WITH_BODY, ...ALWAYS]),
    },
  });
  registry.registerPath({
    method: "get",
    path: "/api/auth/get-session",
    operationId: "getSession",
    tags: ["Auth"],
    summary: "The current session and user, or null",
    security: taskSecurity,
    responses: { 200: json(sessionResponseSchema, "The session, or null when signed out"), ...errorResponses(ALWAYS) },
  });
}

export function generateOpenApiDocument() {
  const registry = new OpenAPIRegistry();
  register(registry);
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: "3.1.0",
    info: {
      title: "Task API",
      version: "1.0.0",
      description:
        "A multi-user task service. Every error is `{detail, error_code}` with the same code in `X-Error-Code`; " +
        "validation errors add `errors[]`. An unknown `/api` path answers 404 `NOT_FOUND`; a method a path " +
        "does not support answers 405 `METHOD_NOT_ALLOWED` with `Allow`.",
    },
    servers: [{ url: "/", description: "This deployment" }],
    tags: [
      { name: "Auth", description: "Better Auth, email and password" },
      { name: "Tasks", description: "Your tasks; nobody else's are visible" },
      { name: "Health", description: "Liveness of the API and its database" },
    ],
  });
}

export type OpenApiDocument = ReturnType<typeof generateOpenApiDocument>;
