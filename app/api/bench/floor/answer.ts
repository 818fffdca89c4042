import { ApiError, errorResponse } from "@/lib/errors";
import { readJsonObject } from "@/lib/http/body";
import { withErrors } from "@/lib/http/route";

/** What the floors answer unless the bench started the server with BENCH_FLOOR=1: an unknown route's 404. */
export const notFound = withErrors(() => {
  throw new ApiError("NOT_FOUND", "No such API route");
});

const pages = new Map<number, string>();

// A constant page of `size` items shaped like the bench's tasks (the same fields, lengths and
// cursor), made once: what a list answer weighs, without anything that makes one.
function page(size: number): string {
  let text = pages.get(size);
  if (text === undefined) {
    const items = Array.from({ length: size }, (_, i) => ({
      id: 1_000_000 + i,
      user_id: "floorFloorFloorFloorFloorFloor00",
      title: `Seed task ${i}`,
      description: `Seeded in bulk by the bench (${i})`,
      completed: i % 3 === 0,
      list_id: null,
      due_at: null,
      priority: "none",
      created_at: "2026-01-01T00:00:00.000Z",
      updated_at: "2026-01-01T00:00:00.000Z",
    }));
    text = JSON.stringify({ items, next_cursor: "f".repeat(120) });
    pages.set(size, text);
  }
  return text;
}

/** `?wait=N`: N ms (0–1000) on a timer, as a handler waits for its database, but with no database. */
async function waitAsAsked(value: string | null) {
  const ms = Number(value);
  if (Number.isInteger(ms) && ms >= 0 && ms <= 1000) await new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * The floors' answer: a small JSON body, or with `?items=N` (1–100) a page of N task-shaped items,
 * after reading the request's JSON body as the API reads it (lib/http/body.ts) when the method
 * sends one, and with `?wait=N` after waiting N ms (the rtt target's floor that waits one round
 * trip). No auth, no database, no route wrapper.
 */
export async function floorAnswer(request: Request): Promise<Response> {
  try {
    if (request.method === "POST" || request.method === "PATCH") await readJsonObject(request);
    if (request.url.includes("wait=")) await waitAsAsked(new URL(request.url).searchParams.get("wait"));
    // Parsed only when asked for, so that the plain floor does no more than before.
    const items = request.url.includes("items=") ? Number(new URL(request.url).searchParams.get("items")) : 0;
    if (Number.isInteger(items) && items >= 1 && items <= 100) {
      return new Response(page(items), { headers: { "content-type": "application/json" } });
    }
    return Response.json({ status: "ok" });
  } catch (error) {
    return errorResponse(error);
  }
}
