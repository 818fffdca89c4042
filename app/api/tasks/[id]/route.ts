import { serve } from "@/lib/http/operation";
import { deleteTask, getTask, replaceTask, updateTask } from "@/lib/tasks/operations";

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = serve(getTask, replaceTask, updateTask, deleteTask);
