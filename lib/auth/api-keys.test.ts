import { defaultKeyHasher } from "@better-auth/api-key";
import { describe, expect, it } from "vitest";
import { apiKeyCreateBodySchema, apiKeyOf, hashApiKey } from "@/lib/auth/api-keys";

describe("API keys", () => {
  it("hashes a key exactly as the plugin stores it", async () => {
    for (const key of ["tk_abc", "tk_" + "x".repeat(48), "ünïcödé"]) {
      expect(hashApiKey(key)).toBe(await defaultKeyHasher(key));
    }
  });

  it("takes the key from x-api-key, or from a bearer value with the key prefix only", () => {
    const request = (headers: Record<string, string>) => new Request("http://localhost/api/tasks", { headers });
    expect(apiKeyOf(request({ "x-api-key": " tk_abc " }), null)).toBe("tk_abc");
    expect(apiKeyOf(request({}), "tk_abc")).toBe("tk_abc");
    expect(apiKeyOf(request({}), "sessiontoken.signature")).toBeNull();
    expect(apiKeyOf(request({}), null)).toBeNull();
  });

  it("defaults the scope to read-write and refuses fields only the server may set", () => {
    expect(apiKeyCreateBodySchema.parse({ name: "ci" })).toEqual({ name: "ci", scope: "read-write" });
    for (const field of ["permissions", "prefix", "configId", "userId", "remaining", "metadata"]) {
      expect(apiKeyCreateBodySchema.safeParse({ name: "ci", [field]: {} }).success, field).toBe(false);
    }
  });
});
