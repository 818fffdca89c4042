import { AUTH_OPERATIONS } from "@/lib/auth/operations";
import { getHealth } from "@/lib/health";
import type { AnyOperation } from "@/lib/http/operation";
import { docsAsset, docsPage, getOpenApiDocument } from "@/lib/openapi/docs";
import * as lists from "@/lib/lists/operations";
import * as tasks from "@/lib/tasks/operations";

/** Every operation of the API, in the order the document lists them. */
export const OPERATIONS: AnyOperation[] = [
  getHealth,
  getOpenApiDocument,
  docsPage,
  docsAsset,
  tasks.listTasks,
  tasks.createTask,
  tasks.getTask,
  tasks.replaceTask,
  tasks.updateTask,
  tasks.deleteTask,
  lists.listLists,
  lists.createList,
  lists.getList,
  lists.replaceList,
  lists.updateList,
  lists.deleteList,
  ...AUTH_OPERATIONS,
];
