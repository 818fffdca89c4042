import { z } from "zod";
import { cursorSchema } from "@/lib/resource/cursor";
import { idParamSchema, idSchema, limitSchema, pageSchema, timestampSchema } from "@/lib/resource/schemas";
import { DESCRIPTION_MAX, TITLE_MAX } from "@/lib/tasks/limits";

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

export const taskParamsSchema = z.object({ id: idParamSchema("Task id") });

export const taskListQuerySchema = z.object({
  completed: z
    .enum(["true", "false"], "must be true or false")
    .transform((value) => value === "true")
    .optional()
    .meta({ description: "Only completed (`true`) or only open (`false`) tasks; all when absent" }),
  limit: limitSchema,
  cursor: cursorSchema.optional(),
});

export type TaskCreate = z.infer<typeof taskCreateSchema>;
export type TaskPatch = z.infer<typeof taskPatchSchema>;
export type TaskListQuery = z.infer<typeof taskListQuerySchema>;

// Better Auth's user ids are 32 random letters and digits.
const userIdSchema = z.string().meta({ description: "The owner; always the caller", maxLength: 64, pattern: "^[A-Za-z0-9_-]+$" });

export const taskSchema = z
  .object({
    id: idSchema,
    user_id: userIdSchema,
    // Stored trimmed, never empty.
    title: z.string().meta({ maxLength: TITLE_MAX, pattern: "\\S", example: "Write the release notes" }),
    description: z.string().nullable().meta({ maxLength: DESCRIPTION_MAX, example: "Cover the API changes" }),
    completed: z.boolean(),
    created_at: timestampSchema,
    updated_at: timestampSchema.meta({ description: "RFC 3339, UTC; changes on every successful update" }),
  })
  .meta({ id: "Task" });

export const taskPageSchema = pageSchema(taskSchema, "TaskPage", "Newest first");

export type Task = z.infer<typeof taskSchema>;
export type TaskPage = z.infer<typeof taskPageSchema>;
