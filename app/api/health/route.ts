import { getHealthOperation } from "@/lib/health";
import { serve } from "@/lib/http/operation";

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = serve(getHealthOperation);
