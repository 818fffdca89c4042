import { serve } from "@/lib/http/operation";
import { docsAsset } from "@/lib/openapi/docs";

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = serve(docsAsset);
