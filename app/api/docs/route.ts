import { serve } from "@/lib/http/operation";
import { docsPage } from "@/lib/openapi/docs";

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = serve(docsPage);
