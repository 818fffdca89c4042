import { serve } from "@/lib/http/operation";
import { createList, listLists } from "@/lib/lists/operations";

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = serve(listLists, createList);
