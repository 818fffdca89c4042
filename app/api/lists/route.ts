import { serve } from "@/lib/http/operation";
import { createListOperation, listListsOperation } from "@/lib/lists/operations";

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = serve(listListsOperation, createListOperation);
