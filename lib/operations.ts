import { AUTH_OPERATIONS } from "@/lib/auth/operations";
import { getHealthOperation } from "@/lib/health";
import type { AnyOperation } from "@/lib/http/operation";
import { docsAssetOperation, docsPageOperation, getOpenApiDocumentOperation } from "@/lib/openapi/docs";
import * as lists from "@/lib/lists/operations";
import * as tasks from "@/lib/tasks/operations";

/** Every operation of the API, in the order the document lists them. */
export const OPERATIONS: AnyOperation[] = [
  getHealthOperation,
  getOpenApiDocumentOperation,
  docsPageOperation,
  docsAssetOperation,
  tasks.listTasksOperation,
  tasks.createTaskOperation,
  tasks.listTaskChangesOperation,
  tasks.getTaskOperation,
  tasks.replaceTaskOperation,
  tasks.updateTaskOperation,
  tasks.deleteTaskOperation,
  lists.listListsOperation,
  lists.createListOperation,
  lists.getListOperation,
  lists.replaceListOperation,
  lists.updateListOperation,
  lists.deleteListOperation,
  ...AUTH_OPERATIONS,
];
