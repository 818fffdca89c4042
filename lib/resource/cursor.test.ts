import { describe, expect, it } from "vitest";
import { z } from "zod";
import { cursorSchema, encodeCursor, scopeOf } from "@/lib/resource/cursor";

const query = z.object({ cursor: cursorSchema.optional() });

function rejects(cursor: string) {
  const result = query.safeParse({ cursor });
  expect(result.success, cursor).toBe(false);
  expect(result.error!.issues[0]!.path).toEqual(["cursor"]);
}

describe("cursor", () => {
  it.each([
    [{ scope: "[]", values: [1] }],
    [{ scope: '[["completed",true]]', values: [2147483647] }],
    [{ scope: '[["sort","due"]]', values: ["2026-12-01T00:00:00.000Z", 42] }],
    [{ scope: '[["sort","due"]]', values: [null, 7] }],
  ])("round-trips %j as base64url", (cursor) => {
    const text = encodeCursor(cursor);
    expect(text).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(query.parse({ cursor: text }).cursor).toEqual(cursor);
  });

  const b64 = (text: string) => Buffer.from(text).toString("base64url");
  const valid = encodeCursor({ scope: "[]", values: [42] });

  it.each([
    ["garbage", "not a cursor!"],
    ["empty", ""],
    ["a bare id, as cursors once were", b64("42")],
    ["JSON that is not an array", b64('{"scope":"[]"}')],
    ["an array without values", b64('["[]"]')],
    ["a non-string scope", b64("[1,42]")],
    ["an object as a value", b64('["[]",{"id":42}]')],
    ["padded base64", Buffer.from('["[]",4]').toString("base64")],
    ["a valid cursor with a character appended", `${valid}A`],
    ["the same JSON spelled with spaces", b64('["[]", 42]')],
    ["longer than any cursor this API makes", "A".repeat(513)],
  ])("rejects %s", (_name, cursor) => rejects(cursor));

  it("scopes a cursor to the sort and filters, not the page or its size", () => {
    expect(scopeOf({ limit: 5, cursor: { scope: "x", values: [1] } })).toBe("[]");
    expect(scopeOf({ completed: true, limit: 5 })).toBe(scopeOf({ limit: 50, completed: true }));
    expect(scopeOf({ completed: true })).not.toBe(scopeOf({ completed: false }));
    expect(scopeOf({ completed: undefined })).toBe(scopeOf({}));
    expect(scopeOf({ b: 1, a: 2 })).toBe(scopeOf({ a: 2, b: 1 }));
  });
});
