import { serve } from "@/lib/http/operation";
import { createTask, listTasks } from "@/lib/tasks/operations";

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = serve(listTasks, createTask);
