import { ApiError } from "@/lib/errors";
import { withErrors } from "@/lib/http/route";
import { floorAnswer } from "./answer";

// The benchmark's framework floor: a bare route handler returning a small JSON body (no auth, no
// database), to measure what Next itself costs per request; `?wrapped` sends the same body
// through the app's route wrapper; `?items=50` answers a list page's weight of constant JSON; POST
// first reads a JSON body as the API reads it (answer.ts): the floors of a list's and a create's
// shape; `?wait=5` first waits 5 ms, as a handler waits for a database at 5 ms RTT. Unless the bench started this server with BENCH_FLOOR=1, it answers exactly like an
// unknown route.
const wrapped = withErrors((request) => {
  if (process.env.BENCH_FLOOR !== "1" || request.method !== "GET") throw new ApiError("NOT_FOUND", "No such API route");
  return Response.json({ status: "ok" });
});

const floor: typeof wrapped = async (request, context) =>
  process.env.BENCH_FLOOR === "1" && (request.method === "GET" || request.method === "POST") && !request.url.includes("?wrapped")
    ? floorAnswer(request)
    : wrapped(request, context);

export { floor as GET, floor as POST, floor as PUT, floor as PATCH, floor as DELETE };
