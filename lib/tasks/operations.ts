import { created, createdResponse, userOperation } from "@/lib/http/operation";
import * as queries from "@/lib/tasks/queries";
import { taskCreateSchema, taskListQuerySchema, taskPageSchema, taskParamsSchema, taskPatchSchema, taskReplaceSchema, taskSchema } from "@/lib/tasks/schema";

const tag = "Tasks";
const byId = { path: "/api/tasks/{id}", params: taskParamsSchema, errors: ["TASK_NOT_FOUND" as const] };

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
  handler: async ({ user, query }) => Response.json(await queries.listTasks(user.id, query)),
});

export const createTaskOperation = userOperation({
  method: "POST",
  path: "/api/tasks",
  operationId: "createTask",
  tag,
  summary: "Create a task",
  description:
    "`description`, `list_id` and `due_at` default to null, `completed` to false, `priority` to `none`. " +
    "`list_id` must be one of your lists. Counts against your write limit.",
  body: taskCreateSchema,
  response: createdResponse("/api/tasks", taskSchema, "The created task"),
  handler: async ({ user, body }) => created("/api/tasks", await queries.createTask(user.id, body)),
});

export const getTaskOperation = userOperation({
  ...byId,
  method: "GET",
  operationId: "getTask",
  tag,
  summary: "Get one of your tasks",
  description: "Another user's task answers 404, exactly like a missing one.",
  response: { status: 200, description: "The task", schema: taskSchema },
  handler: async ({ user, params }) => Response.json(await queries.getTask(user.id, params.id)),
});

export const replaceTaskOperation = userOperation({
  ...byId,
  method: "PUT",
  operationId: "replaceTask",
  tag,
  summary: "Replace a task",
  description: "Full replace: absent fields go back to their defaults (`description`, `list_id`, `due_at` null; `completed` false; `priority` none).",
  body: taskReplaceSchema,
  response: { status: 200, description: "The replaced task", schema: taskSchema },
  handler: async ({ user, params, body }) => Response.json(await queries.replaceTask(user.id, params.id, body)),
});

export const updateTaskOperation = userOperation({
  ...byId,
  method: "PATCH",
  operationId: "updateTask",
  tag,
  summary: "Update some fields of a task",
  description: "Any non-empty subset of the fields; the others stay as they are.",
  body: taskPatchSchema,
  response: { status: 200, description: "The updated task", schema: taskSchema },
  handler: async ({ user, params, body }) => Response.json(await queries.updateTask(user.id, params.id, body)),
});

export const deleteTaskOperation = userOperation({
  ...byId,
  method: "DELETE",
  operationId: "deleteTask",
  tag,
  summary: "Delete a task",
  description: "A second DELETE of the same task answers 404.",
  response: { status: 204, description: "Deleted; empty body" },
  handler: async ({ user, params }) => {
    await queries.deleteTask(user.id, params.id);
    return new Response(null, { status: 204 });
  },
});
