import { serve } from "@/lib/http/operation";
import { listTaskChangesOperation } from "@/lib/tasks/operations";

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = serve(listTaskChangesOperation);
