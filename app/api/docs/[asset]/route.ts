import { serve } from "@/lib/http/operation";
import { docsAssetOperation } from "@/lib/openapi/docs";

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = serve(docsAssetOperation);
