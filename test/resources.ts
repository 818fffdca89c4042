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

/** Creates a list for the user, failing the test on anything but 201. */
export async function createList(user: TestUser, name: string) {
  const response = await api("POST", "/api/lists", { token: user.token, json: { name } });
  if (response.status !== 201) throw new Error(`list create failed: ${response.status} ${response.text}`);
  return response.body as { id: number; user_id: string; name: string; created_at: string; updated_at: string };
}

// List names are unique per user (any case), while the contract suite sends one body several
// times for one user (e.g. the 64 KiB and the streamed POST): each read of a body is a fresh,
// valid name, and every created list has its own name.
let listSerial = 0;
const freshName = (prefix: string) => `${prefix} ${++listSerial}`;

export const listsResource: ResourceUnderTest = {
  name: "lists",
  path: "/api/lists",
  notFound: "LIST_NOT_FOUND",
  create: (user, n) => createList(user, freshName(`list ${n} #`)),
  bodies: {
    get POST() {
      return { name: freshName("created") };
    },
    get PUT() {
      return { name: freshName("replaced") };
    },
    get PATCH() {
      return { name: freshName("renamed") };
    },
  },
  invalidBody: { name: "", id: 1 },
};

export const RESOURCES: ResourceUnderTest[] = [tasksResource, listsResource];

/** A seeded PRNG (mulberry32) in [0, 1): property tests print their seed, so a failure can be replayed with TEST_SEED. */
export function seededRandom(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (min: number, max: number) => min + Math.floor(next() * (max - min + 1)),
    pick: <T>(values: readonly T[]): T => values[Math.floor(next() * values.length)]!,
    chance: (p: number) => next() < p,
  };
}

/** The seed for this run's property tests: TEST_SEED, or a new one. */
export const TEST_SEED = Number(process.env.TEST_SEED ?? Math.floor(Math.random() * 2 ** 31));

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
