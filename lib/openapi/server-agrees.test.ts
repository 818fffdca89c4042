import { describe, expect, it } from "vitest";
import { z } from "zod";
import { AUTH_ENDPOINTS } from "@/lib/auth/handler";
import { signInLimitsSchema, signUpLimitsSchema } from "@/lib/auth/schema";
import { ERROR_LIMITS, errorResponse, validate } from "@/lib/errors";
import { API_KEYS_MAX } from "@/lib/auth/api-keys";
import { generateOpenApiDocument } from "@/lib/openapi/document";
import { descriptionSchema, titleSchema } from "@/lib/tasks/schema";

// The document must not promise more than the server accepts, and the server must refuse what
// the document rules out: checked here for what the document states and the zod schemas alone
// do not show.

const document = generateOpenApiDocument();
const EMOJI = "\u{1F600}"; // one code point, two UTF-16 units: JSON Schema's maxLength counts it once

type JsonSchema = { properties?: Record<string, JsonSchema>; maxLength?: number; type?: unknown };
type Operation = { operationId: string; requestBody?: { content: Record<string, { schema: JsonSchema }> }; responses: Record<string, unknown> };

function operation(path: string, method: string): Operation {
  const found = (document.paths?.[path] as Record<string, Operation> | undefined)?.[method];
  if (!found) throw new Error(`no ${method} ${path} in the document`);
  return found;
}

function bodyProperties(path: string): Record<string, JsonSchema> {
  return operation(path, "post").requestBody!.content["application/json"]!.schema.properties!;
}

describe("the auth surface", () => {
  it("is documented exactly: every AUTH_ENDPOINTS entry, and nothing else under /api/auth", () => {
    const documented = Object.entries(document.paths ?? {})
      .filter(([path]) => path.startsWith("/api/auth/"))
      .flatMap(([path, item]) => Object.keys(item as object).map((method) => `${method.toUpperCase()} ${path}`));
    const reachable = [...AUTH_ENDPOINTS].map(([path, { method }]) => `${method} /api/auth${path}`);
    expect(documented.sort()).toEqual(reachable.sort());
  });

  it("documents a strict body schema wherever the server validates one", () => {
    for (const [path, endpoint] of AUTH_ENDPOINTS) {
      if (!endpoint.guard || endpoint.guard !== endpoint.body) continue;
      const body = operation(`/api/auth${path}`, "post").requestBody?.content["application/json"]?.schema;
      expect(JSON.stringify(body), path).toContain('"additionalProperties":false');
    }
  });

  it("answers an unknown keyId with 404 NOT_FOUND on update and delete, and 401 without a session", () => {
    for (const path of ["/api/auth/api-key/update", "/api/auth/api-key/delete"]) {
      const responses = operation(path, "post").responses as Record<string, { content: object }>;
      expect(JSON.stringify(responses["404"]?.content), path).toContain('"enum":["NOT_FOUND"]');
    }
    for (const path of ["create", "list", "update", "delete"]) {
      const method = path === "list" ? "get" : "post";
      const found = operation(`/api/auth/api-key/${path}`, method) as Operation & { security: object[] };
      expect(found.security, path).toEqual([{ bearerAuth: [] }, { cookieAuth: [] }]);
      expect(Object.keys(found.responses), path).toContain("401");
    }
  });
});

describe("documented maxLength agrees with the server", () => {
  it.each([
    ["title", titleSchema, "/api/tasks", "a"],
    ["description", descriptionSchema, "/api/tasks", "a"],
  ] as const)("%s: the raw value is counted in code points, surrounding whitespace included", (field, schema, path, letter) => {
    const max = bodyProperties(path)[field]!.maxLength!;
    expect(max).toBeGreaterThan(0);
    expect(schema.safeParse(letter.repeat(max)).success).toBe(true);
    expect(schema.safeParse(EMOJI.repeat(max)).success).toBe(true);
    expect(schema.safeParse(letter.repeat(max + 1)).success).toBe(false);
    expect(schema.safeParse(EMOJI.repeat(max + 1)).success).toBe(false);
    expect(schema.safeParse(` ${letter.repeat(max)} `).success).toBe(false);
  });

  it.each([
    ["/api/auth/sign-up/email", signUpLimitsSchema],
    ["/api/auth/sign-in/email", signInLimitsSchema],
  ] as const)("%s: the guard refuses every string field longer than documented, and only that", (path, guard) => {
    const limited = Object.entries(bodyProperties(path)).filter(([, schema]) => schema.maxLength !== undefined);
    expect(limited.length).toBeGreaterThan(0);
    for (const [field, { maxLength }] of limited) {
      expect(validate(guard, { [field]: EMOJI.repeat(maxLength!), other: 1 }), field).toEqual({ [field]: EMOJI.repeat(maxLength!), other: 1 });
      expect(() => validate(guard, { [field]: EMOJI.repeat(maxLength! + 1) }), field).toThrow();
      // Anything else is left to Better Auth, which answers it in its own words.
      expect(validate(guard, { [field]: 42 }), field).toEqual({ [field]: 42 });
    }
    expect(validate(guard, {})).toEqual({});
  });

  it("the sign-up and sign-in guards are what the server runs before Better Auth", () => {
    expect(AUTH_ENDPOINTS.get("/sign-up/email")?.guard).toBe(signUpLimitsSchema);
    expect(AUTH_ENDPOINTS.get("/sign-in/email")?.guard).toBe(signInLimitsSchema);
  });
});

describe("documented bounds of what the server sends", () => {
  const schemas = document.components?.schemas as Record<string, { properties: Record<string, { maxItems?: number; items?: JsonSchema }> }>;

  it("are the ones stated in the document", () => {
    const error = schemas.Error!.properties;
    expect(error.errors?.maxItems).toBe(ERROR_LIMITS.errors);
    expect(error.errors?.items?.properties?.path?.maxLength).toBe(ERROR_LIMITS.path);
    expect(schemas.ApiKeyList!.properties.apiKeys?.maxItems).toBe(API_KEYS_MAX);
  });

  it("hold for a body with many long unknown keys", async () => {
    const body = Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`${i}${"k".repeat(400)}`, 1]));
    let response: Response | undefined;
    try {
      validate(z.strictObject({}), body);
    } catch (error) {
      response = errorResponse(error);
    }
    const { errors } = (await response!.json()) as { errors: { path: string; message: string }[] };
    expect(errors.length).toBeLessThanOrEqual(ERROR_LIMITS.errors);
    for (const { path, message } of errors) {
      expect([...path].length).toBeLessThanOrEqual(ERROR_LIMITS.path);
      expect([...message].length).toBeLessThanOrEqual(ERROR_LIMITS.message);
    }
  });
});
