import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from "vitest";
import { z } from "zod";
import { DatabaseTimeoutError } from "@/lib/db/failures";
import { ApiError, ERROR_CODES, errorResponse, type ErrorCode } from "@/lib/errors";

// Unexpected errors are logged to stderr by design; keep the test output readable.
let stderr: MockInstance<typeof process.stderr.write>;
beforeEach(() => {
  stderr = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
});
afterEach(() => {
  vi.restoreAllMocks();
});

async function render(error: unknown) {
  const response = errorResponse(error);
  const text = await response.text();
  return { response, text, body: JSON.parse(text) as Record<string, unknown> };
}

/** Every error response: JSON envelope, and the X-Error-Code header equal to error_code. */
async function expectEnvelope(error: unknown, status: number, code: string) {
  const result = await render(error);
  expect(result.response.status).toBe(status);
  expect(result.response.headers.get("content-type")).toContain("application/json");
  expect(result.body.error_code).toBe(code);
  expect(typeof result.body.detail).toBe("string");
  expect(result.body.detail).not.toBe("");
  expect(result.response.headers.get("x-error-code")).toBe(code);
  return result;
}

describe("errorResponse: ApiError", () => {
  it.each(Object.entries(ERROR_CODES) as [ErrorCode, { status: number; detail: string }][])(
    "%s → its status, detail and header",
    async (code, { status, detail }) => {
      const { body } = await expectEnvelope(new ApiError(code), status, code);
      expect(body).toEqual({ detail, error_code: code });
    },
  );

  it("keeps a custom detail and extra headers", async () => {
    const error = new ApiError("METHOD_NOT_ALLOWED", "Use GET", { headers: { Allow: "GET, HEAD" } });
    const { response, body } = await expectEnvelope(error, 405, "METHOD_NOT_ALLOWED");
    expect(body.detail).toBe("Use GET");
    expect(response.headers.get("allow")).toBe("GET, HEAD");
  });

  it("includes field errors given to it", async () => {
    const errors = [{ path: "title", message: "must not be empty" }];
    const { body } = await expectEnvelope(new ApiError("VALIDATION_ERROR", undefined, { errors }), 400, "VALIDATION_ERROR");
    expect(body.errors).toEqual(errors);
  });

  it("adds WWW-Authenticate: Bearer to 401 and only to 401", async () => {
    const unauthorized = await expectEnvelope(new ApiError("UNAUTHORIZED"), 401, "UNAUTHORIZED");
    expect(unauthorized.response.headers.get("www-authenticate")).toBe("Bearer");
    for (const code of ["VALIDATION_ERROR", "TASK_NOT_FOUND", "INTERNAL_ERROR"] as const) {
      expect(errorResponse(new ApiError(code)).headers.get("www-authenticate")).toBeNull();
    }
  });

  it("adds Retry-After only to 503", async () => {
    expect(errorResponse(new ApiError("DATABASE_UNAVAILABLE")).headers.get("retry-after")).toMatch(/^[1-9][0-9]*$/);
    expect(errorResponse(new ApiError("TASK_NOT_FOUND")).headers.get("retry-after")).toBeNull();
  });
});

describe("errorResponse: ZodError", () => {
  const schema = z.strictObject({ title: z.string().min(1), nested: z.object({ count: z.number() }).optional() });

  function zodError(input: unknown): z.ZodError {
    const result = schema.safeParse(input);
    if (result.success) throw new Error("expected the schema to reject the input");
    return result.error;
  }

  it("→ 400 VALIDATION_ERROR naming each failing field", async () => {
    const { body } = await expectEnvelope(zodError({ title: "", nested: { count: "3" } }), 400, "VALIDATION_ERROR");
    const errors = body.errors as { path: string; message: string }[];
    expect(errors.map((error) => error.path).sort()).toEqual(["nested.count", "title"]);
    for (const error of errors) expect(typeof error.message).toBe("string");
  });

  it("reports each unknown key as its own entry", async () => {
    const { body } = await expectEnvelope(zodError({ title: "ok", id: 1, user_id: "u" }), 400, "VALIDATION_ERROR");
    expect(body.errors).toEqual(
      expect.arrayContaining([
        { path: "id", message: expect.any(String) },
        { path: "user_id", message: expect.any(String) },
      ]),
    );
    expect(body.errors).toHaveLength(2);
  });

  it("names the body when the whole input is wrong", async () => {
    const { body } = await expectEnvelope(zodError("not an object"), 400, "VALIDATION_ERROR");
    expect(body.errors).toEqual([{ path: "body", message: expect.any(String) }]);
  });
});

describe("errorResponse: database unavailable", () => {
  const connectionRefused = () =>
    Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED", errno: -111 });

  const unavailable: [string, () => unknown][] = [
    ["ECONNREFUSED wrapped as cause", () => new Error("Failed query: select 1", { cause: connectionRefused() })],
    ["ECONNREFUSED twice wrapped", () => new Error("outer", { cause: new Error("middle", { cause: connectionRefused() }) })],
    ["ECONNRESET", () => Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" })],
    ["SQLSTATE 57014 (statement timeout)", () => Object.assign(new Error("canceling statement due to statement timeout"), { code: "57014" })],
    ["SQLSTATE 57P01 (admin shutdown)", () => Object.assign(new Error("terminating connection due to administrator command"), { code: "57P01" })],
    ["SQLSTATE 08006 (connection failure)", () => Object.assign(new Error("connection failure"), { code: "08006" })],
    ["SQLSTATE 53300 (too many connections)", () => Object.assign(new Error("sorry, too many clients already"), { code: "53300" })],
    ["pg-pool acquire timeout", () => new Error("timeout exceeded when trying to connect")],
    ["pg connection terminated", () => new Error("Connection terminated unexpectedly")],
    ["DatabaseTimeoutError", () => new DatabaseTimeoutError()],
    ["DatabaseTimeoutError as cause", () => new Error("Failed query", { cause: new DatabaseTimeoutError() })],
    ["AggregateError of connection errors", () => new AggregateError([connectionRefused(), connectionRefused()], "")],
  ];

  it.each(unavailable)("%s → 503 DATABASE_UNAVAILABLE with Retry-After", async (_name, make) => {
    const { response, body, text } = await expectEnvelope(make(), 503, "DATABASE_UNAVAILABLE");
    expect(body).toEqual({ detail: ERROR_CODES.DATABASE_UNAVAILABLE.detail, error_code: "DATABASE_UNAVAILABLE" });
    expect(response.headers.get("retry-after")).toMatch(/^[1-9][0-9]*$/);
    expect(text).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|statement timeout|timeout exceeded/);
  });
});

describe("errorResponse: anything else", () => {
  const secretMessage = 'relation "secret_table" does not exist at SELECT password FROM secret_table';

  const unexpected: [string, () => unknown][] = [
    ["a plain Error", () => new Error(secretMessage)],
    ["a SQL error that is not an outage", () => Object.assign(new Error(secretMessage), { code: "42P01", severity: "ERROR" })],
    ["a unique violation", () => Object.assign(new Error(secretMessage), { code: "23505", detail: "Key (email)=(a@b.c)" })],
    ["a wrapped SQL error", () => new Error(`Failed query: ${secretMessage}`, { cause: Object.assign(new Error(secretMessage), { code: "42601" }) })],
    ["a TypeError", () => new TypeError(`Cannot read properties of undefined (${secretMessage})`)],
    ["a thrown string", () => secretMessage],
    ["a thrown object", () => ({ message: secretMessage, code: "XX000" })],
    ["null", () => null],
    ["undefined", () => undefined],
  ];

  it.each(unexpected)("%s → 500 with only the generic detail", async (_name, make) => {
    const { response, body, text } = await expectEnvelope(make(), 500, "INTERNAL_ERROR");
    expect(body).toEqual({ detail: "Internal server error", error_code: "INTERNAL_ERROR" });
    expect(text).not.toContain("secret_table");
    expect(text).not.toMatch(/stack|at .*\.ts|Error:/);
    expect(response.headers.get("retry-after")).toBeNull();
    expect(response.headers.get("www-authenticate")).toBeNull();
  });

  it("logs the real error on the server", async () => {
    await render(new Error(secretMessage));
    const logged = stderr.mock.calls.map(([chunk]) => String(chunk)).join("");
    expect(JSON.parse(logged.split("\n")[0]!)).toMatchObject({ level: "error", message: "unhandled error" });
    expect(logged).toContain("secret_table");
  });
});
