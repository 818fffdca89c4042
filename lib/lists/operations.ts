import { created, createdResponse, jsonText, userOperation } from "@/lib/http/operation";
import * as queries from "@/lib/lists/queries";
import { listCreateSchema, listListQuerySchema, listPageSchema, listParamsSchema, listPatchSchema, listReplaceSchema, listSchema } from "@/lib/lists/schema";

const tag = "Lists";
const byId = { path: "/api/lists/{id}", params: listParamsSchema, errors: ["LIST_NOT_FOUND" as const] };
const nameTaken = { LIST_NAME_TAKEN: "you already have a list with this name, in any letter case" };

export const listListsOperation = userOperation({
  method: "GET",
  path: "/api/lists",
  operationId: "listLists",
  tag,
  summary: "List your lists, by name",
  description: "Ordered by name, ignoring case. Keyset paging: follow `next_cursor` until it is null.",
  query: listListQuerySchema,
  response: { status: 200, description: "One page of lists", schema: listPageSchema },
  handler: async ({ caller, query }) => jsonText(await queries.listLists(caller, query)),
});

export const createListOperation = userOperation({
  method: "POST",
  path: "/api/lists",
  operationId: "createList",
  tag,
  summary: "Create a list",
  description: "Counts against your write limit. Send an `Idempotency-Key` to retry safely: one list however often the request is retried.",
  body: listCreateSchema,
  idempotent: true,
  errors: ["LIST_NAME_TAKEN"],
  notes: nameTaken,
  response: createdResponse("/api/lists", listSchema, "The created list"),
  handler: async ({ caller, body }) => created("/api/lists", await queries.createList(caller, body)),
});

export const getListOperation = userOperation({
  ...byId,
  method: "GET",
  operationId: "getList",
  tag,
  summary: "Get one of your lists",
  description: "Another user's list answers 404, exactly like a missing one.",
  response: { status: 200, description: "The list", schema: listSchema },
  handler: async ({ caller, params }) => jsonText(await queries.getList(caller, params.id)),
});

export const replaceListOperation = userOperation({
  ...byId,
  errors: ["LIST_NOT_FOUND", "LIST_NAME_TAKEN"],
  notes: nameTaken,
  method: "PUT",
  operationId: "replaceList",
  tag,
  summary: "Replace a list",
  body: listReplaceSchema,
  response: { status: 200, description: "The replaced list", schema: listSchema },
  handler: async ({ caller, params, body }) => jsonText(await queries.updateList(caller, params.id, body)),
});

export const updateListOperation = userOperation({
  ...byId,
  errors: ["LIST_NOT_FOUND", "LIST_NAME_TAKEN"],
  notes: nameTaken,
  method: "PATCH",
  operationId: "updateList",
  tag,
  summary: "Rename a list",
  body: listPatchSchema,
  response: { status: 200, description: "The updated list", schema: listSchema },
  handler: async ({ caller, params, body }) => jsonText(await queries.updateList(caller, params.id, body)),
});

export const deleteListOperation = userOperation({
  ...byId,
  method: "DELETE",
  operationId: "deleteList",
  tag,
  summary: "Delete a list",
  description: "Its tasks stay, in no list (`list_id` null).",
  response: { status: 204, description: "Deleted; empty body" },
  handler: async ({ caller, params }) => {
    await queries.deleteList(caller, params.id);
    return new Response(null, { status: 204 });
  },
});
