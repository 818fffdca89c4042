import { describe, expect, it } from "vitest";
import { ApiError } from "@/lib/errors";
import { fingerprintOf, IDEMPOTENCY_KEY_MAX, idempotencyKeyOf } from "@/lib/http/idempotency";
import { taskCreateSchema } from "@/lib/tasks/schema";

const withKey = (key?: string) =>
  new Request("http://localhost:3000/api/tasks", { method: "POST", headers: key === undefined ? {} : { "idempotency-key": key } });

/** Every printable ASCII character, 0x20 (space) to 0x7E (~). */
const PRINTABLE = Array.from({ length: 0x7f - 0x20 }, (_, i) => String.fromCharCode(0x20 + i)).join("");

describe("idempotencyKeyOf", () => {
  it("is undefined without the header", () => {
    expect(idempotencyKeyOf(withKey())).toBeUndefined();
  });

  it.each([
    ["one character", "k"],
    ["a UUID", "0b7d8c1e-3f7a-4a51-9d0e-6f2c1b9a8e47"],
    ["every printable character", `k${PRINTABLE}`],
    [`${IDEMPOTENCY_KEY_MAX} characters`, "k".repeat(IDEMPOTENCY_KEY_MAX)],
  ])("accepts %s", (_, key) => {
    expect(idempotencyKeyOf(withKey(key))).toBe(key);
  });

  it.each([
    ["an empty key", ""],
    [`${IDEMPOTENCY_KEY_MAX + 1} characters`, "k".repeat(IDEMPOTENCY_KEY_MAX + 1)],
    ["a non-ASCII character", "clé"],
    ["a tab", "tab\there"],
    ["a control character", "bell\x07"],
    ["DEL", "delete\x7f"],
  ])("refuses %s with a 400 naming Idempotency-Key", (_, key) => {
    let refused: unknown;
    try {
      idempotencyKeyOf(withKey(key));
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(ApiError);
    expect((refused as ApiError).code).toBe("VALIDATION_ERROR");
    expect((refused as ApiError).extra.errors?.map((error) => error.path)).toEqual(["Idempotency-Key"]);
  });
});

describe("fingerprintOf", () => {
  const body = { title: "A task", completed: false };
  const fingerprint = fingerprintOf("POST", "/api/tasks", body);

  it("is a SHA-256 hex digest, the same for the same request", () => {
    expect(fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(fingerprintOf("POST", "/api/tasks", { title: "A task", completed: false })).toBe(fingerprint);
  });

  it("differs by method, path and body", () => {
    expect(fingerprintOf("PUT", "/api/tasks", body)).not.toBe(fingerprint);
    expect(fingerprintOf("POST", "/api/lists", body)).not.toBe(fingerprint);
    expect(fingerprintOf("POST", "/api/tasks", { ...body, completed: true })).not.toBe(fingerprint);
    expect(fingerprintOf("POST", "/api/tasks", { title: "A task" })).not.toBe(fingerprint);
  });

  it("keeps method and path apart: no two requests run together", () => {
    expect(fingerprintOf("POST", "/a", null)).not.toBe(fingerprintOf("POS", "T/a", null));
  });

  it("agrees for two spellings of one create once the body is validated", () => {
    const spelled = taskCreateSchema.parse({ title: "A task", priority: "high", due_at: "2026-12-24T18:00:00+01:00" });
    const respelled = taskCreateSchema.parse({ due_at: "2026-12-24T17:00:00Z", priority: "high", title: "A task" });
    expect(fingerprintOf("POST", "/api/tasks", respelled)).toBe(fingerprintOf("POST", "/api/tasks", spelled));
  });
});
