import { serve } from "@/lib/http/operation";
import { deleteList, getList, replaceList, updateList } from "@/lib/lists/operations";

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = serve(getList, replaceList, updateList, deleteList);
