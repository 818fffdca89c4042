import fs from "node:fs";
import { compileErrors, validate } from "@readme/openapi-parser";
import { describe, expect, it } from "vitest";
import { assertDescribed } from "@/test/openapi-validator";
import { generateOpenApiDocument } from "@/lib/openapi/document";
import { generatedFiles } from "@/lib/openapi/generated";

const document = generateOpenApiDocument();
const json = { "content-type": "application/json" };

describe("the OpenAPI document", () => {
  it("is a valid OpenAPI 3.1 document", async () => {
    const result = await validate(structuredClone(document) as never);
    expect(result.valid, result.valid ? "" : compileErrors(result)).toBe(true);
    expect(document.openapi).toBe("3.1.0");
  });

  it("is committed up to date, with the typed client's types (run `npm run openapi`)", async () => {
    for (const [file, contents] of Object.entries(await generatedFiles())) {
      expect(fs.readFileSync(file, "utf8"), `${file} is stale: run npm run openapi`).toBe(contents);
    }
  });

  it("gives every operation a unique operationId, a tag and its error responses", () => {
    const operations = Object.entries(document.paths ?? {}).flatMap(([path, item]) =>
      Object.entries(item as Record<string, { operationId?: string; tags?: string[]; responses: object; security?: object[] }>).map(
        ([method, operation]) => ({ path, method, ...operation }),
      ),
    );
    expect(new Set(operations.map((operation) => operation.operationId)).size).toBe(operations.length);
    for (const operation of operations) {
      expect(operation.tags?.length, operation.path).toBeGreaterThan(0);
      expect(Object.keys(operation.responses), `${operation.method} ${operation.path}`).toEqual(
        expect.arrayContaining(["500", "503"]),
      );
      if (operation.path.startsWith("/api/tasks")) {
        expect(operation.security).toEqual([{ bearerAuth: [] }, { cookieAuth: [] }]);
        expect(Object.keys(operation.responses)).toContain("401");
      }
    }
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
    created_at: "2026-12-01T00:00:00.000Z",
    updated_at: "2026-12-01T00:00:00.000Z",
  };

  it("accepts a described response", () => {
    expect(() =>
      assertDescribed("POST", "/api/tasks", 201, new Headers({ ...json, location: "/api/tasks/1" }), task),
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
