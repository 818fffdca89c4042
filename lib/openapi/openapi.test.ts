import fs from "node:fs";
import { compileErrors, validate } from "@readme/openapi-parser";
import { describe, expect, it } from "vitest";
import { assertDescribed } from "@/test/openapi-validator";
import { generateOpenApiDocument } from "@/lib/openapi/document";
import { generatedFiles } from "@/lib/openapi/generated";

const document = generateOpenApiDocument();
const json = { "content-type": "application/json" };
const rateLimit = { "x-ratelimit-limit": "300", "x-ratelimit-remaining": "299", "x-ratelimit-reset": "1764604800" };

describe("the OpenAPI document", () => {
  it("is a valid OpenAPI 3.1 document", async () => {
    const result = await validate(structuredClone(document) as never);
    expect(result.valid, result.valid ? "" : compileErrors(result)).toBe(true);
    expect(document.openapi).toBe("3.1.0");
  });

  // Generating the client's types takes a few seconds on a busy machine.
  it("is committed up to date, with the typed client's types (run `npm run openapi`)", { timeout: 30_000 }, async () => {
    for (const [file, contents] of Object.entries(await generatedFiles())) {
      expect(fs.readFileSync(file, "utf8"), `${file} is stale: run npm run openapi`).toBe(contents);
    }
  });

  const operations = Object.entries(document.paths ?? {}).flatMap(([path, item]) =>
    Object.entries(
      item as Record<string, { operationId?: string; tags?: string[]; responses: Record<string, Response>; security?: object[] }>,
    ).map(([method, operation]) => ({ path, method, ...operation })),
  );
  type Response = { description: string; headers?: Record<string, { required?: boolean; $ref?: string }> };
  const WRITES = ["post", "put", "patch", "delete"];

  it("gives every operation a unique operationId, a tag and its error responses", () => {
    expect(new Set(operations.map((operation) => operation.operationId)).size).toBe(operations.length);
    for (const operation of operations) {
      const where = `${operation.method} ${operation.path}`;
      expect(operation.tags?.length, where).toBeGreaterThan(0);
      // Only the document itself is served without the database.
      const always = operation.operationId === "getOpenApiDocument" ? ["500"] : ["500", "503"];
      expect(Object.keys(operation.responses), where).toEqual(expect.arrayContaining(always));
      if (operation.path.startsWith("/api/tasks")) {
        expect(operation.security, where).toEqual([{ bearerAuth: [] }, { apiKeyAuth: [] }, { cookieAuth: [] }]);
        expect(Object.keys(operation.responses), where).toContain("401");
      }
    }
  });

  it("marks exactly the public operations as needing no credentials", () => {
    const open = operations.filter((operation) => JSON.stringify(operation.security) === "[{}]").map((operation) => operation.operationId);
    expect(open.sort()).toEqual(["getHealth", "getOpenApiDocument", "signInEmail", "signUpEmail"]);
    for (const operation of operations) expect(operation.security?.length, operation.operationId).toBeGreaterThan(0);
  });

  it("declares the rate-limit headers as always sent on every successful task write, and on every 429", () => {
    for (const operation of operations) {
      for (const [status, response] of Object.entries(operation.responses)) {
        const always = status === "429" || (operation.path.startsWith("/api/tasks") && WRITES.includes(operation.method) && status < "300");
        if (!always) continue;
        for (const name of ["X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"]) {
          expect(response.headers?.[name]?.required, `${operation.operationId} ${status} ${name}`).toBe(true);
        }
      }
    }
  });

  it("says that a read-scoped API key gets 403 on task writes", () => {
    for (const operation of operations.filter((operation) => operation.path.startsWith("/api/tasks") && WRITES.includes(operation.method))) {
      expect(operation.responses["403"]?.description, operation.operationId).toMatch(/`read` scope/);
    }
    const schemes = document.components?.securitySchemes as Record<string, { description?: string; name?: string; in?: string }>;
    expect(schemes.apiKeyAuth).toMatchObject({ type: "apiKey", in: "header", name: "x-api-key" });
    expect(schemes.bearerAuth?.description).toContain("Bearer tk_");
  });

  it("declares the optional empty body clients send to sign-out", () => {
    const body = (document.paths?.["/api/auth/sign-out"]?.post as { requestBody?: { required?: boolean; content: object } }).requestBody;
    expect(body?.required).toBe(false);
    expect(JSON.stringify(body?.content)).toContain('"additionalProperties":false');
  });

  it("documents the task limits", () => {
    const schema = JSON.stringify(document.paths?.["/api/tasks"]?.post);
    expect(schema).toContain('"maxLength":200');
    expect(schema).toContain('"maxLength":1000');
    expect(JSON.stringify(document.paths?.["/api/tasks"]?.get)).toContain('"maximum":100');
  });
});

describe("the response validator used by the integration suite", () => {
  const task = {
    id: 1,
    user_id: "u",
    title: "t",
    description: null,
    completed: false,
    list_id: null,
    due_at: null,
    priority: "none",
    created_at: "2026-12-01T00:00:00.000Z",
    updated_at: "2026-12-01T00:00:00.000Z",
  };

  it("accepts a described response", () => {
    expect(() =>
      assertDescribed("POST", "/api/tasks", 201, new Headers({ ...json, ...rateLimit, location: "/api/tasks/1", etag: `"1"` }), task),
    ).not.toThrow();
  });

  it.each([
    ["an unlisted status", "GET", "/api/tasks", 418, {}, {}],
    ["a body that does not match", "GET", "/api/tasks", 200, {}, { items: "nope", next_cursor: null }],
    ["a missing required header", "POST", "/api/tasks", 201, {}, task],
    ["a wrong timestamp format", "GET", "/api/tasks/1", 200, {}, { ...task, created_at: "yesterday" }],
    ["an unknown path that is not the 404 envelope", "GET", "/api/nope", 200, {}, {}],
    ["an error whose X-Error-Code differs", "GET", "/api/tasks/1", 404, { "x-error-code": "NOT_FOUND" }, { detail: "x", error_code: "TASK_NOT_FOUND" }],
    ["an error code the operation cannot return", "GET", "/api/tasks/1", 404, { "x-error-code": "NOT_FOUND" }, { detail: "x", error_code: "NOT_FOUND" }],
  ])("rejects %s", (_name, method, path, status, headers, body) => {
    expect(() => assertDescribed(method, path, status, new Headers({ ...json, ...headers }), body)).toThrow(/OpenAPI/);
  });
});
