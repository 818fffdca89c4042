import { z } from "zod";

// Keyset cursors: the sort key values of the last row of a page (the id last), and the scope
// they were made for (sort and filters), so that a cursor cannot be replayed against another
// ordering, where it would silently skip or repeat rows. Opaque to clients: base64url of JSON.

export type KeyValue = string | number | null;

export interface Cursor {
  scope: string;
  values: KeyValue[];
}

export const CURSOR_MAX = 512;

export function encodeCursor({ scope, values }: Cursor): string {
  return Buffer.from(JSON.stringify([scope, ...values])).toString("base64url");
}

function decodeCursor(text: string): Cursor | undefined {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(text, "base64url").toString());
    if (!Array.isArray(parsed) || typeof parsed[0] !== "string" || parsed.length < 2) return undefined;
    const values = parsed.slice(1) as unknown[];
    if (!values.every((value) => value === null || typeof value === "string" || typeof value === "number")) return undefined;
    const cursor = { scope: parsed[0], values: values as KeyValue[] };
    // Only the exact text this API produces: no other spelling of the same JSON.
    return encodeCursor(cursor) === text ? cursor : undefined;
  } catch {
    return undefined;
  }
}

const NOT_A_CURSOR = "is not a cursor returned by this API";

export const cursorSchema = z
  .string()
  .max(CURSOR_MAX)
  .meta({ description: "`next_cursor` from the previous page (opaque)", pattern: "^[A-Za-z0-9_-]+$", example: "WyJbXSIsNDJd" })
  .transform((text, ctx) => {
    const cursor = decodeCursor(text);
    if (!cursor) {
      ctx.addIssue({ code: "custom", message: NOT_A_CURSOR });
      return z.NEVER;
    }
    return cursor;
  });

/** What a cursor is valid for: the list's sort and filters (everything but the page and size). */
export function scopeOf(query: Record<string, unknown>): string {
  const entries = Object.entries(query)
    .filter(([key, value]) => key !== "cursor" && key !== "limit" && value !== undefined)
    .sort(([a], [b]) => a.localeCompare(b));
  return JSON.stringify(entries);
}
