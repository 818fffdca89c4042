import { describe, expect, it } from "vitest";
import { AUTH_ENDPOINTS } from "@/lib/auth/handler";
import { isNotAllowed, METHODS, operationOf } from "@/lib/http/operation";
import { generateOpenApiDocument } from "@/lib/openapi/document";
import { ROUTES } from "@/test/api";

// The route files and the OpenAPI document come from the same declarations; this holds them
// equal: every method a route file serves is a documented operation at that file's path, and
// every documented operation is served.

// Route files that serve no declared operation of their own, and why.
const UNDECLARED: Record<string, string> = {
  "/app/api/route.ts": "the JSON 404 for /api itself",
  "/app/api/[...path]/route.ts": "the JSON 404 for every unknown /api path",
  "/app/api/bench/floor/route.ts": "the benchmark's framework floor: 404 unless the bench started the server",
  "/app/api/bench/floor/[id]/route.ts": "the benchmark's floor of a request to one item: 404 unless the bench started the server",
  "/app/api/auth/[...all]/route.ts": "Better Auth: serves the operations in lib/auth/operations.ts (checked below)",
};

const documentPath = (file: string) =>
  file.slice("/app".length, -"/route.ts".length).replace(/\[(\w+)\]/g, "{$1}");

async function served() {
  const operations: string[] = [];
  for (const route of ROUTES) {
    const module = await route.load();
    if (Object.hasOwn(UNDECLARED, route.file)) continue;
    for (const method of METHODS) {
      const handler = module[method];
      const operation = operationOf(handler);
      if (!operation) {
        expect(isNotAllowed(handler), `${route.file} ${method}: neither an operation nor the 405 answer`).toBe(true);
        continue;
      }
      expect(operation.method, route.file).toBe(method);
      expect(operation.path, `${route.file} serves an operation declared for another path`).toBe(documentPath(route.file));
      if (!("hidden" in operation && operation.hidden)) operations.push(`${method} ${operation.path}`);
    }
    expect(typeof module.OPTIONS, `${route.file} answers preflights`).toBe("function");
  }
  for (const [, operation] of AUTH_ENDPOINTS) operations.push(`${operation.method} ${operation.path}`);
  return operations.sort();
}

describe("route files and the OpenAPI document", () => {
  it("every served method is a documented operation, and every documented operation is served", async () => {
    const document = generateOpenApiDocument();
    const documented = Object.entries(document.paths ?? {})
      .flatMap(([path, item]) => Object.keys(item as object).map((method) => `${method.toUpperCase()} ${path}`))
      .sort();
    expect(await served()).toEqual(documented);
  });
});
