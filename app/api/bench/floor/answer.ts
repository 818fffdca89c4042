import { errorResponse } from "@/lib/errors";
import { readJsonObject } from "@/lib/http/body";

/**
 * The floors' answer: a small JSON body, after reading the request's JSON body as the API reads
 * it (lib/http/body.ts) when the method sends one. No auth, no database, no route wrapper.
 */
export async function floorAnswer(request: Request): Promise<Response> {
  try {
    if (request.method === "POST" || request.method === "PATCH") await readJsonObject(request);
    return Response.json({ status: "ok" });
  } catch (error) {
    return errorResponse(error);
  }
}
