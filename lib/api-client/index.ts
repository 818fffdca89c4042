import createClient from "openapi-fetch";
import type { components, paths } from "@/lib/api-client/schema";

// A client typed from the OpenAPI document (itself generated from the zod schemas the routes
// validate with): a page built on it cannot drift from the API without failing to compile.
export function createApiClient(baseUrl = "") {
  return createClient<paths>({ baseUrl, credentials: "same-origin" });
}

export type ApiSchemas = components["schemas"];
export type { paths };
