import { serve } from "@/lib/http/operation";
import { docsPageOperation } from "@/lib/openapi/docs";

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = serve(docsPageOperation);
