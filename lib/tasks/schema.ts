import { z } from "zod";
import { cursorSchema } from "@/lib/resource/cursor";
import { idParamSchema, idSchema, limitSchema, ownedItemSchema, pageSchema, pageSizeSchema, storableText, timestampSchema } from "@/lib/resource/schemas";
import { SYNC_TOKEN_MAX, syncTokenSchema } from "@/lib/resource/sync-token";
import { DESCRIPTION_MAX, TITLE_MAX } from "@/lib/tasks/limits";

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

export const listIdSchema = idSchema
  .nullable()
  .meta({ description: "One of your lists, or null for none. Another user's list is refused like a missing one", example: 7 });

const DUE_MIN = Date.UTC(1970, 0, 1);
const DUE_MAX = Date.UTC(10_000, 0, 1);

/** An RFC 3339 date-time with any offset, as an instant to the millisecond, in 1970–9999. */
const instantSchema = z.iso
  .datetime({ offset: true, message: "must be an RFC 3339 date-time, e.g. 2026-12-01T09:00:00Z" })
  .max(40, "must be an RFC 3339 date-time, e.g. 2026-12-01T09:00:00Z")
  .transform((text) => new Date(text))
  .refine((date) => date.getTime() >= DUE_MIN && date.getTime() < DUE_MAX, "must be in the years 1970 to 9999 (UTC)");

export const dueAtSchema = instantSchema
  .nullable()
  .meta({ description: "RFC 3339 with any offset, or null; stored and returned in UTC to the millisecond", example: "2026-12-24T18:00:00+01:00" });

export const PRIORITIES = ["none", "low", "medium", "high"] as const;
export type Priority = (typeof PRIORITIES)[number];
export const prioritySchema = z.enum(PRIORITIES).meta({ description: "Sorts high, medium, low, none" });

export const taskCreateSchema = z.strictObject({
  title: titleSchema,
  description: descriptionSchema.optional(),
  completed: completedSchema.optional(),
  list_id: listIdSchema.optional(),
  due_at: dueAtSchema.optional(),
  priority: prioritySchema.optional(),
});

export const taskReplaceSchema = taskCreateSchema;

export const taskPatchSchema = z
  .strictObject({
    title: titleSchema.optional(),
    description: descriptionSchema.optional(),
    completed: completedSchema.optional(),
    list_id: listIdSchema.optional(),
    due_at: dueAtSchema.optional(),
    priority: prioritySchema.optional(),
  })
  .refine((patch) => Object.keys(patch).length > 0, "must contain at least one field");

export const taskParamsSchema = z.object({ id: idParamSchema("Task id") });

export const TASK_SORTS = ["created", "due", "priority"] as const;
export const QUERY_MAX = 100;

export const taskListQuerySchema = z.object({
  completed: z
    .enum(["true", "false"], "must be true or false")
    .transform((value) => value === "true")
    .optional()
    .meta({ description: "Only completed (`true`) or only open (`false`) tasks; all when absent" }),
  list_id: z
    .union([z.literal("none"), idParamSchema("List id")], "must be a list id or none")
    .optional()
    .meta({ description: "Only the tasks in this list, or `none` for the tasks in no list", example: 7 }),
  due_before: instantSchema.optional().meta({ description: "Only tasks due before this instant (RFC 3339)" }),
  due_after: instantSchema.optional().meta({ description: "Only tasks due at or after this instant (RFC 3339)" }),
  q: storableText(QUERY_MAX)
    .min(1, "must not be empty")
    .optional()
    .meta({ minLength: 1, maxLength: QUERY_MAX, description: "Only tasks whose title contains this text, ignoring case", example: "release" }),
  sort: z
    .enum(TASK_SORTS, `must be one of ${TASK_SORTS.join(", ")}`)
    .default("created")
    .meta({ description: "`created`: newest first; `due`: soonest first, undated last; `priority`: highest first. Ties by id" }),
  limit: limitSchema,
  cursor: cursorSchema.optional(),
});

export type TaskCreate = z.infer<typeof taskCreateSchema>;
export type TaskPatch = z.infer<typeof taskPatchSchema>;
export type TaskListQuery = z.infer<typeof taskListQuerySchema>;

export const taskSchema = ownedItemSchema("Task", {
  // Stored trimmed, never empty.
  title: z.string().meta({ maxLength: TITLE_MAX, pattern: "\\S", example: "Write the release notes" }),
  description: z.string().nullable().meta({ maxLength: DESCRIPTION_MAX, example: "Cover the API changes" }),
  completed: z.boolean(),
  list_id: idSchema.nullable().meta({ description: "The list it is in, or null" }),
  due_at: timestampSchema.nullable().meta({ description: "RFC 3339, UTC, or null" }),
  priority: prioritySchema,
});

export const taskPageSchema = pageSchema(taskSchema, "TaskPage", "In the requested sort");

export type Task = z.infer<typeof taskSchema>;
export type TaskPage = z.infer<typeof taskPageSchema>;

export const CHANGES_PAGE_MAX = 1000;
export const CHANGES_PAGE_DEFAULT = 500;
/** Days a deletion stays in the change feed; an older sync token answers 410. */
export const TOMBSTONE_RETENTION_DAYS = 30;

export const taskChangesQuerySchema = z.object({
  since: syncTokenSchema
    .optional()
    .meta({ description: "The `sync_token` of your last sync; absent for a full sync of every current task" }),
  limit: pageSizeSchema(CHANGES_PAGE_MAX, CHANGES_PAGE_DEFAULT),
});

export const deletedTaskSchema = z
  .object({
    id: idSchema,
    deleted: z.literal(true),
    deleted_at: timestampSchema,
  })
  .meta({ id: "DeletedTask", description: "A task deleted since the token: remove your copy" });

export const taskChangesSchema = z
  .object({
    changes: z.array(z.union([taskSchema, deletedTaskSchema])).meta({
      maxItems: CHANGES_PAGE_MAX,
      description: "Oldest change first; each task once, in its current state, or deleted",
    }),
    sync_token: z.string().meta({ description: "Pass as `since` next time", maxLength: SYNC_TOKEN_MAX, pattern: "^[A-Za-z0-9_-]+$" }),
    has_more: z.boolean().meta({ description: "More changes are waiting: sync again with `sync_token` now" }),
  })
  .meta({ id: "TaskChanges" });

export type TaskChangesQuery = z.infer<typeof taskChangesQuerySchema>;
export type TaskChanges = z.infer<typeof taskChangesSchema>;
