import { serve } from "@/lib/http/operation";
import { getOpenApiDocumentOperation } from "@/lib/openapi/docs";

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = serve(getOpenApiDocumentOperation);
