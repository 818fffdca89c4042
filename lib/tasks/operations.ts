import { etagOf } from "@/lib/http/conditional";
import { created, createdResponse, jsonText, userOperation, type SuccessResponse } from "@/lib/http/operation";
import { listChanges } from "@/lib/tasks/changes";
import * as queries from "@/lib/tasks/queries";
import {
  taskChangesQuerySchema,
  taskChangesSchema,
  taskCreateSchema,
  taskListQuerySchema,
  taskPageSchema,
  taskParamsSchema,
  taskPatchSchema,
  taskReplaceSchema,
  taskSchema,
  TOMBSTONE_RETENTION_DAYS,
} from "@/lib/tasks/schema";

const tag = "Tasks";
const byId = { path: "/api/tasks/{id}", params: taskParamsSchema, errors: ["TASK_NOT_FOUND" as const], versioned: true };

/** One task, with its version as the ETag. */
const versionedTask = ({ item, version }: queries.VersionedTask) => jsonText(item, { headers: { ETag: etagOf(version) } });
const taskResponse = (description: string): SuccessResponse => ({ status: 200, description, schema: taskSchema });

export const listTasksOperation = userOperation({
  method: "GET",
  path: "/api/tasks",
  operationId: "listTasks",
  tag,
  summary: "List your tasks: filter, sort and search",
  description:
    "Filters combine. Keyset paging for every sort: follow `next_cursor` until it is null; no duplicates or gaps across " +
    "pages while tasks change. A cursor only works with the sort and filters it was made for (else 400).",
  query: taskListQuerySchema,
  response: { status: 200, description: "One page of tasks", schema: taskPageSchema },
  handler: async ({ caller, query }) => jsonText(await queries.listTasks(caller, query)),
});

export const createTaskOperation = userOperation({
  method: "POST",
  path: "/api/tasks",
  operationId: "createTask",
  tag,
  summary: "Create a task",
  description:
    "`description`, `list_id` and `due_at` default to null, `completed` to false, `priority` to `none`. " +
    "`list_id` must be one of your lists. Counts against your write limit. Send an `Idempotency-Key` to retry safely: " +
    "one task however often the request is retried.",
  body: taskCreateSchema,
  idempotent: true,
  versioned: true,
  response: createdResponse("/api/tasks", taskSchema, "The created task"),
  handler: async ({ caller, body }) => {
    const task = await queries.createTask(caller, body);
    return created("/api/tasks", task, { ETag: etagOf(task.version) });
  },
});

export const listTaskChangesOperation = userOperation({
  method: "GET",
  path: "/api/tasks/changes",
  operationId: "listTaskChanges",
  tag,
  summary: "Sync: what changed since your last sync",
  description:
    "Without `since`: every current task (a full sync). With `since`: every task created, updated or deleted after that " +
    "token, once each, in its current state, oldest change first; deletions as `{id, deleted: true, deleted_at}`. Repeat " +
    "with the returned `sync_token` while `has_more` is true; keep the last token for next time. No change is ever " +
    `missed, however writes race the sync. Deletions are kept ${TOMBSTONE_RETENTION_DAYS} days: an older token answers 410.`,
  query: taskChangesQuerySchema,
  errors: ["SYNC_TOKEN_EXPIRED"],
  response: { status: 200, description: "Changes, oldest first", schema: taskChangesSchema },
  handler: async ({ caller, query }) => jsonText(await listChanges(caller, query)),
});

export const getTaskOperation = userOperation({
  ...byId,
  method: "GET",
  operationId: "getTask",
  tag,
  summary: "Get one of your tasks",
  description: "Another user's task answers 404, exactly like a missing one. Send `If-None-Match` with its ETag: 304 while unchanged.",
  response: taskResponse("The task"),
  handler: async ({ caller, params }) => versionedTask(await queries.getTask(caller, params.id)),
});

export const replaceTaskOperation = userOperation({
  ...byId,
  method: "PUT",
  operationId: "replaceTask",
  tag,
  summary: "Replace a task",
  description:
    "Full replace: absent fields go back to their defaults (`description`, `list_id`, `due_at` null; `completed` false; " +
    "`priority` none). With `If-Match`, only if the task is still at that version (else 412).",
  body: taskReplaceSchema,
  response: taskResponse("The replaced task"),
  handler: async ({ caller, params, body, ifMatch }) => versionedTask(await queries.replaceTask(caller, params.id, body, ifMatch)),
});

export const updateTaskOperation = userOperation({
  ...byId,
  method: "PATCH",
  operationId: "updateTask",
  tag,
  summary: "Update some fields of a task",
  description: "Any non-empty subset of the fields; the others stay as they are. With `If-Match`, only if the task is still at that version (else 412).",
  body: taskPatchSchema,
  response: taskResponse("The updated task"),
  handler: async ({ caller, params, body, ifMatch }) => versionedTask(await queries.updateTask(caller, params.id, body, ifMatch)),
});

export const deleteTaskOperation = userOperation({
  ...byId,
  method: "DELETE",
  operationId: "deleteTask",
  tag,
  summary: "Delete a task",
  description: "A second DELETE of the same task answers 404. With `If-Match`, only if the task is still at that version (else 412).",
  response: { status: 204, description: "Deleted; empty body" },
  handler: async ({ caller, params, ifMatch }) => {
    await queries.deleteTask(caller, params.id, ifMatch);
    return new Response(null, { status: 204 });
  },
});
