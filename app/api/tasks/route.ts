import { serve } from "@/lib/http/operation";
import { createTaskOperation, listTasksOperation } from "@/lib/tasks/operations";

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = serve(listTasksOperation, createTaskOperation);
