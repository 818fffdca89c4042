import { serve } from "@/lib/http/operation";
import { getOpenApiDocument } from "@/lib/openapi/docs";

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = serve(getOpenApiDocument);
