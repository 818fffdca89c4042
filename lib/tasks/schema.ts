import { z } from "zod";

export const TITLE_MAX = 200;
export const DESCRIPTION_MAX = 1000;
export const PAGE_SIZE_DEFAULT = 50;
export const PAGE_SIZE_MAX = 100;
const INT4_MAX = 2_147_483_647;

const codePoints = (value: string) => [...value].length;

// PostgreSQL text cannot hold U+0000, and a lone UTF-16 surrogate cannot be encoded as UTF-8:
// both would fail in the database, so they are validation errors here.
const storableText = (max: number) =>
  z
    .string()
    .refine((value) => !value.includes("\u0000"), "must not contain U+0000")
    .refine((value) => value.isWellFormed(), "must be valid Unicode (no lone surrogates)")
    .refine((value) => codePoints(value) <= max, `must be at most ${max} characters`);

// maxLength in the document: JSON Schema counts code points, as these refinements do. The
// limit holds for the title as sent, surrounding whitespace included (so the document's
// maxLength is exactly the server's); what is stored is trimmed and must not be empty, which
// the document says with the pattern (`\s` is exactly the set of characters trim removes).
export const titleSchema = storableText(TITLE_MAX)
  .pipe(z.string().trim().min(1, "must not be empty"))
  .meta({
    maxLength: TITLE_MAX,
    pattern: "\\S",
    description: "1 to 200 Unicode code points as sent, not all whitespace; stored trimmed",
    example: "Write the release notes",
  });

export const descriptionSchema = storableText(DESCRIPTION_MAX)
  .nullable()
  .meta({ maxLength: DESCRIPTION_MAX, description: "At most 1000 Unicode code points, or null", example: "Cover the API changes" });

export const completedSchema = z.boolean().meta({ description: "No coercion: \"true\" is rejected" });

export const taskCreateSchema = z.strictObject({
  title: titleSchema,
  description: descriptionSchema.optional(),
  completed: completedSchema.optional(),
});

export const taskReplaceSchema = taskCreateSchema;

export const taskPatchSchema = z
  .strictObject({
    title: titleSchema.optional(),
    description: descriptionSchema.optional(),
    completed: completedSchema.optional(),
  })
  .refine((patch) => Object.keys(patch).length > 0, "must contain at least one of title, description, completed");

export const taskIdSchema = z
  .string()
  .regex(/^[1-9][0-9]{0,9}$/, "must be a positive integer")
  .transform(Number)
  .pipe(z.number().max(INT4_MAX, "is out of range"))
  .meta({ type: "integer", minimum: 1, maximum: INT4_MAX, description: "Task id", example: 42 });

export const taskParamsSchema = z.object({ id: taskIdSchema });

// The cursor is opaque to clients: base64url of the last id on the page.
export function encodeCursor(id: number): string {
  return Buffer.from(String(id)).toString("base64url");
}

const cursorSchema = z
  .string()
  .meta({
    description: "`next_cursor` from the previous page (opaque)",
    // base64url of an id of at most 10 digits; anything longer is refused like any bad cursor
    maxLength: 14,
    pattern: "^[A-Za-z0-9_-]+$",
    example: "NDI",
  })
  .transform((cursor, ctx) => {
    const decoded = Buffer.from(cursor, "base64url").toString();
    const parsed = taskIdSchema.safeParse(decoded);
    if (!parsed.success || encodeCursor(parsed.data) !== cursor) {
      ctx.addIssue({ code: "custom", message: "is not a cursor returned by this API" });
      return z.NEVER;
    }
    return parsed.data;
  });

export const taskListQuerySchema = z.object({
  completed: z
    .enum(["true", "false"], "must be true or false")
    .transform((value) => value === "true")
    .optional()
    .meta({ description: "Only completed (`true`) or only open (`false`) tasks; all when absent" }),
  limit: z
    .string()
    .regex(/^[0-9]{1,3}$/, `must be an integer from 1 to ${PAGE_SIZE_MAX}`)
    .transform(Number)
    .pipe(z.number().min(1, `must be at least 1`).max(PAGE_SIZE_MAX, `must be at most ${PAGE_SIZE_MAX}`))
    .optional()
    .transform((limit) => limit ?? PAGE_SIZE_DEFAULT)
    .meta({ type: "integer", minimum: 1, maximum: PAGE_SIZE_MAX, default: PAGE_SIZE_DEFAULT, description: "Page size" }),
  cursor: cursorSchema.optional(),
});

export type TaskCreate = z.infer<typeof taskCreateSchema>;
export type TaskPatch = z.infer<typeof taskPatchSchema>;
export type TaskListQuery = z.infer<typeof taskListQuerySchema>;

const timestamp = z.iso.datetime().meta({ description: "RFC 3339, UTC", example: "2026-12-01T15:04:05.123Z" });

export const taskSchema = z
  .object({
    id: z.int().min(1).max(INT4_MAX).meta({ example: 42 }),
    user_id: z.string().meta({ description: "The owner; always the caller" }),
    title: z.string().meta({ example: "Write the release notes" }),
    description: z.string().nullable().meta({ example: "Cover the API changes" }),
    completed: z.boolean(),
    created_at: timestamp,
    updated_at: timestamp.meta({ description: "RFC 3339, UTC; changes on every successful update" }),
  })
  .meta({ id: "Task" });

export const taskPageSchema = z
  .object({
    items: z.array(taskSchema).meta({ description: "Newest first" }),
    next_cursor: z.string().nullable().meta({ description: "Pass as `cursor` for the next page; null on the last page" }),
  })
  .meta({ id: "TaskPage" });

export type Task = z.infer<typeof taskSchema>;
export type TaskPage = z.infer<typeof taskPageSchema>;
