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

// Opaque tokens (cursors here, sync tokens in sync-token.ts): base64url of a JSON array. Only the
// exact text this API produced decodes, never another spelling of the same JSON.
export const encodeOpaque = (values: unknown[]) => Buffer.from(JSON.stringify(values)).toString("base64url");

function decodeOpaque(text: string): unknown[] | undefined {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(text, "base64url").toString());
    return Array.isArray(parsed) && encodeOpaque(parsed) === text ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** A query parameter holding an opaque token: decoded by `read`, or a 400 naming it. */
export function opaqueSchema<T>(max: number, meta: Record<string, unknown>, read: (values: unknown[]) => T | undefined, notOurs: string) {
  return z
    .string()
    .max(max)
    .meta({ pattern: "^[A-Za-z0-9_-]+$", ...meta })
    .transform((text, ctx) => {
      const values = decodeOpaque(text);
      const token = values && read(values);
      if (token === undefined) {
        ctx.addIssue({ code: "custom", message: notOurs });
        return z.NEVER;
      }
      return token;
    });
}

export const encodeCursor = ({ scope, values }: Cursor): string => encodeOpaque([scope, ...values]);

function readCursor([scope, ...values]: unknown[]): Cursor | undefined {
  if (typeof scope !== "string" || values.length === 0) return undefined;
  if (!values.every((value) => value === null || typeof value === "string" || typeof value === "number")) return undefined;
  return { scope, values: values as KeyValue[] };
}

export const cursorSchema = opaqueSchema(
  CURSOR_MAX,
  { description: "`next_cursor` from the previous page (opaque)", example: "WyJbXSIsNDJd" },
  readCursor,
  "is not a cursor returned by this API",
);

/** What a cursor is valid for: the list's sort and filters (everything but the page and size). */
export function scopeOf(query: Record<string, unknown>): string {
  const entries = Object.entries(query)
    .filter(([key, value]) => key !== "cursor" && key !== "limit" && value !== undefined)
    .sort(([a], [b]) => a.localeCompare(b));
  return JSON.stringify(entries);
}
