import { serve } from "@/lib/http/operation";
import { deleteListOperation, getListOperation, replaceListOperation, updateListOperation } from "@/lib/lists/operations";

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = serve(getListOperation, replaceListOperation, updateListOperation, deleteListOperation);
