import { api, createTask, type ApiResponse, type TestUser } from "@/test/api";

// The user-scoped resources, as the shared contract suite (app/api/resources.test.ts) sees
// them: where they live, their not-found code, and bodies each method accepts, so that only the
// credentials, the id or the owner decides an answer.

export type ItemMethod = "GET" | "PUT" | "PATCH" | "DELETE";

export interface ResourceUnderTest {
  name: string;
  path: string;
  notFound: string;
  /** Creates one item for the user; `n` makes it distinct. */
  create(user: TestUser, n: number): Promise<{ id: number }>;
  /** A valid body for create (POST) and for each item method that takes one. */
  bodies: { POST: Record<string, unknown>; PUT: Record<string, unknown>; PATCH: Record<string, unknown> };
  /** A body the resource refuses, for "401 comes first". */
  invalidBody: Record<string, unknown>;
}

export const tasksResource: ResourceUnderTest = {
  name: "tasks",
  path: "/api/tasks",
  notFound: "TASK_NOT_FOUND",
  create: (user, n) => createTask(user, { title: `task ${n}` }),
  bodies: {
    POST: { title: "created" },
    PUT: { title: "replaced", description: "by PUT", completed: true },
    PATCH: { completed: true },
  },
  invalidBody: { title: "", id: 1 },
};

export const RESOURCES: ResourceUnderTest[] = [tasksResource];

export const itemPath = (resource: ResourceUnderTest, id: number | string) => `${resource.path}/${id}`;

/** Every page of a listing, following next_cursor to the end. */
export async function allPages(resource: ResourceUnderTest, user: TestUser, query: string) {
  const pages: { items: { id: number }[]; next_cursor: string | null }[] = [];
  let cursor: string | null = null;
  do {
    const separator = query ? "&" : "";
    const response: ApiResponse = await api("GET", `${resource.path}?${query}${cursor ? `${separator}cursor=${encodeURIComponent(cursor)}` : ""}`, {
      token: user.token,
    });
    if (response.status !== 200) throw new Error(`listing failed: ${response.status} ${response.text}`);
    pages.push(response.body);
    cursor = response.body.next_cursor;
    if (pages.length > 100) throw new Error("more than 100 pages");
  } while (cursor !== null);
  return pages;
}

/** A stream body with no Content-Length, pulled one chunk at a time. */
export function streamOf(chunks: Uint8Array[], onPull?: (bytes: number) => void) {
  let index = 0;
  let pulled = 0;
  return new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        const chunk = chunks[index++];
        if (!chunk) return controller.close();
        pulled += chunk.byteLength;
        onPull?.(pulled);
        controller.enqueue(chunk);
      },
    },
    { highWaterMark: 0 },
  );
}
