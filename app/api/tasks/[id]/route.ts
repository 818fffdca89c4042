import { serve } from "@/lib/http/operation";
import { deleteTaskOperation, getTaskOperation, replaceTaskOperation, updateTaskOperation } from "@/lib/tasks/operations";

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = serve(getTaskOperation, replaceTaskOperation, updateTaskOperation, deleteTaskOperation);
