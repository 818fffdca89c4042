import { z } from "zod";
import { CURSOR_MAX } from "@/lib/resource/cursor";

// The parts of a resource's contract that every user-scoped resource shares: integer ids in
// the path, page size, and the page envelope.

export const INT4_MAX = 2_147_483_647;

const codePoints = (value: string) => [...value].length;

/**
 * Text PostgreSQL can store, of at most `max` Unicode code points (what JSON Schema's
 * maxLength counts). PostgreSQL text cannot hold U+0000, and a lone UTF-16 surrogate cannot be
 * encoded as UTF-8: both would fail in the database, so they are validation errors here.
 */
export const storableText = (max: number) =>
  z
    .string()
    .refine((value) => !value.includes("\u0000"), "must not contain U+0000")
    .refine((value) => value.isWellFormed(), "must be valid Unicode (no lone surrogates)")
    .refine((value) => codePoints(value) <= max, `must be at most ${max} characters`);

// Better Auth's user ids are 32 random letters and digits.
export const userIdSchema = z.string().meta({ description: "The owner; always the caller", maxLength: 64, pattern: "^[A-Za-z0-9_-]+$" });

/** A path id: a positive int4 written canonically ("1", never "01", "+1" or "1.0"). */
export function idParamSchema(description: string) {
  return z
    .string()
    .regex(/^[1-9][0-9]{0,9}$/, "must be a positive integer")
    .transform(Number)
    .pipe(z.number().max(INT4_MAX, "is out of range"))
    .meta({ type: "integer", minimum: 1, maximum: INT4_MAX, description, example: 42 });
}

export const idSchema = z.int().min(1).max(INT4_MAX).meta({ example: 42 });

export const PAGE_SIZE_DEFAULT = 50;
export const PAGE_SIZE_MAX = 100;

/** `limit`: a page size from 1 to `max`, `fallback` when absent. */
export function pageSizeSchema(max: number, fallback: number) {
  return z
    .string()
    .regex(new RegExp(`^[0-9]{1,${String(max).length}}$`), `must be an integer from 1 to ${max}`)
    .transform(Number)
    .pipe(z.number().min(1, "must be at least 1").max(max, `must be at most ${max}`))
    .optional()
    .transform((limit) => limit ?? fallback)
    .meta({ type: "integer", minimum: 1, maximum: max, default: fallback, description: "Page size" });
}

export const limitSchema = pageSizeSchema(PAGE_SIZE_MAX, PAGE_SIZE_DEFAULT);

// Date#toISOString(): 24 characters (27 past the year 9999).
export const timestampSchema = z.iso.datetime().meta({ description: "RFC 3339, UTC", maxLength: 30, example: "2026-12-01T15:04:05.123Z" });

/** `{items, next_cursor}` of the given item schema, registered as `<id>`. */
export function pageSchema<T extends z.ZodType>(item: T, id: string, order: string) {
  return z
    .object({
      items: z.array(item).meta({ description: order, maxItems: PAGE_SIZE_MAX }),
      next_cursor: z.string().nullable().meta({
        description: "Pass as `cursor` for the next page; null on the last page",
        maxLength: CURSOR_MAX,
        pattern: "^[A-Za-z0-9_-]+$",
      }),
    })
    .meta({ id });
}

/**
 * An item of a user-scoped resource, registered as `<id>`: its id and owner, the resource's own
 * fields, and when it was created and last changed.
 */
export function ownedItemSchema<Shape extends z.ZodRawShape>(id: string, fields: Shape) {
  return z
    .object({
      id: idSchema,
      user_id: userIdSchema,
      ...fields,
      created_at: timestampSchema,
      updated_at: timestampSchema.meta({ description: "RFC 3339, UTC; changes on every successful update" }),
    })
    .meta({ id });
}
