import type { RouteHandler } from "@/lib/http/route";
import { floorAnswer, notFound } from "../answer";

// The framework floor of a request to one item (`GET` or `PATCH /api/tasks/{id}`): a dynamic
// segment, and for PATCH a JSON body; still no auth and no database. Unless the bench started
// this server with BENCH_FLOOR=1, it answers exactly like an unknown route.
const item: RouteHandler = async (request, context) => {
  if (process.env.BENCH_FLOOR !== "1" || (request.method !== "GET" && request.method !== "PATCH")) return notFound(request, context);
  await context.params;
  return floorAnswer(request);
};

export { item as GET, item as POST, item as PUT, item as PATCH, item as DELETE };
