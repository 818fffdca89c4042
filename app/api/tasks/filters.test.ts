import { beforeAll, describe, expect, it } from "vitest";
import { cursorSchema, encodeCursor } from "@/lib/resource/cursor";
import { api, createTask, expectError, expectValidation, signUp, type ApiResponse, type TestUser } from "@/test/api";
import { createList, seededRandom, TEST_SEED } from "@/test/resources";

// The task fields of issue #11 (list_id, due_at, priority) and GET /api/tasks's filters, sorts
// and keyset paging over every sort, on the real handlers. Property-style checks compare the
// server with a filter and sort computed here, over random tasks and page sizes; their seed is
// in the failure messages (replay with TEST_SEED=<seed>). Every test makes its own users: the pg and
// neon projects share one database.

type Priority = "none" | "low" | "medium" | "high";
type Sort = "created" | "due" | "priority";

interface Task {
  id: number;
  user_id: string;
  title: string;
  description: string | null;
  completed: boolean;
  list_id: number | null;
  due_at: string | null;
  priority: Priority;
  created_at: string;
  updated_at: string;
}

interface Filters {
  list_id?: number | "none";
  completed?: boolean;
  due_before?: string;
  due_after?: string;
  q?: string;
}

const PRIORITIES: Priority[] = ["none", "low", "medium", "high"];
const RANK: Record<Priority, number> = { none: 0, low: 1, medium: 2, high: 3 };
const SORTS: Sort[] = ["created", "due", "priority"];
const EMOJI = "\u{1F600}";
const UTC_MS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const HOUR = 3_600_000;
const BASE = Date.UTC(2027, 2, 14, 9, 30, 0, 250);

/** The contract's orders. */
const ORDER: Record<Sort, (a: Task, b: Task) => number> = {
  created: (a, b) => b.id - a.id,
  due: (a, b) =>
    Number(a.due_at === null) - Number(b.due_at === null) ||
    (a.due_at !== null && b.due_at !== null ? Date.parse(a.due_at) - Date.parse(b.due_at) : 0) ||
    a.id - b.id,
  priority: (a, b) => RANK[b.priority] - RANK[a.priority] || b.id - a.id,
};

function matches(task: Task, filters: Filters): boolean {
  const due = task.due_at === null ? null : Date.parse(task.due_at);
  if (filters.list_id !== undefined && task.list_id !== (filters.list_id === "none" ? null : filters.list_id)) return false;
  if (filters.completed !== undefined && task.completed !== filters.completed) return false;
  if (filters.due_before !== undefined && (due === null || due >= Date.parse(filters.due_before))) return false;
  if (filters.due_after !== undefined && (due === null || due < Date.parse(filters.due_after))) return false;
  if (filters.q !== undefined && !task.title.toLowerCase().includes(filters.q.toLowerCase())) return false;
  return true;
}

function queryOf(filters: Filters & { sort?: Sort; limit?: number }): string {
  return Object.entries(filters)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => `${key}=${encodeURIComponent(String(value))}`)
    .join("&");
}

/** An instant written as RFC 3339 with the given UTC offset (minutes), to the millisecond. */
function withOffset(ms: number, offsetMinutes: number): string {
  const local = new Date(ms + offsetMinutes * 60_000).toISOString().slice(0, 23);
  if (offsetMinutes === 0) return `${local}Z`;
  const abs = Math.abs(offsetMinutes);
  return `${local}${offsetMinutes < 0 ? "-" : "+"}${String(Math.floor(abs / 60)).padStart(2, "0")}:${String(abs % 60).padStart(2, "0")}`;
}

const get = (user: TestUser, query = "") => api("GET", `/api/tasks${query ? `?${query}` : ""}`, { token: user.token });
const post = (user: TestUser, json: unknown) => api("POST", "/api/tasks", { token: user.token, json });
const write = (method: "PUT" | "PATCH", user: TestUser, id: number, json: unknown) => api(method, `/api/tasks/${id}`, { token: user.token, json });
const read = async (user: TestUser, id: number): Promise<Task> => (await api("GET", `/api/tasks/${id}`, { token: user.token })).body;
const ids = (tasks: { id: number }[]) => tasks.map((task) => task.id);
const withCursor = (query: string, cursor: string) => `${query}${query ? "&" : ""}cursor=${encodeURIComponent(cursor)}`;
const withoutRequestId = (response: ApiResponse) => ({ ...response.body, request_id: undefined });

/** Every task of a listing, following next_cursor; every page but the last is full. */
async function walk(user: TestUser, query: string, limit: number): Promise<Task[]> {
  const base = `${query}${query ? "&" : ""}limit=${limit}`;
  const items: Task[] = [];
  let cursor: string | null = null;
  for (let pages = 0; ; pages++) {
    expect(pages, "more than 200 pages").toBeLessThan(200);
    const response: ApiResponse = await get(user, cursor ? withCursor(base, cursor) : base);
    expect(response.status, `${base}: ${response.text}`).toBe(200);
    items.push(...response.body.items);
    cursor = response.body.next_cursor;
    if (cursor === null) return items;
    expect(response.body.items, `${base}: a page with a next_cursor is full`).toHaveLength(limit);
  }
}

describe("task fields: list_id, due_at and priority", () => {
  let user: TestUser;
  let stranger: TestUser;
  let mine: { id: number };
  let theirs: { id: number };
  let deletedList: { id: number };
  beforeAll(async () => {
    [user, stranger] = [await signUp("Fields"), await signUp("Stranger")];
    mine = await createList(user, "mine");
    theirs = await createList(stranger, "theirs");
    deletedList = await createList(user, "deleted");
    expect((await api("DELETE", `/api/lists/${deletedList.id}`, { token: user.token })).status).toBe(204);
  });

  it("default to list_id null, due_at null and priority none, on create and read back", async () => {
    const created = await createTask(user, { title: "defaults" });
    expect(created).toMatchObject({ list_id: null, due_at: null, priority: "none" });
    expect(await read(user, created.id)).toEqual(created);
  });

  it("are stored as given, and read back the same", async () => {
    const response = await post(user, { title: "all set", list_id: mine.id, due_at: "2027-01-02T03:04:05.678Z", priority: "high" });
    expect(response.status, response.text).toBe(201);
    expect(response.body).toMatchObject({ list_id: mine.id, due_at: "2027-01-02T03:04:05.678Z", priority: "high" });
    expect(await read(user, response.body.id)).toEqual(response.body);
    const explicit = await post(user, { title: "explicit nulls", list_id: null, due_at: null, priority: "none" });
    expect(explicit.status, explicit.text).toBe(201);
    expect(explicit.body).toMatchObject({ list_id: null, due_at: null, priority: "none" });
  });

  describe("due_at", () => {
    it.each([
      ["2026-12-24T18:00:00+01:00", "2026-12-24T17:00:00.000Z"],
      ["2026-12-24T18:00:00-05:30", "2026-12-24T23:30:00.000Z"],
      ["2026-12-31T23:30:00-01:00", "2027-01-01T00:30:00.000Z"],
      ["2027-01-01T00:15:00+14:00", "2026-12-31T10:15:00.000Z"],
      ["2026-12-24T18:00:00Z", "2026-12-24T18:00:00.000Z"],
      ["2026-12-24T18:00:00-00:00", "2026-12-24T18:00:00.000Z"],
      ["2026-12-24T18:00:00.5Z", "2026-12-24T18:00:00.500Z"],
      ["2026-12-24T18:00:00.123+00:00", "2026-12-24T18:00:00.123Z"],
      ["2028-02-29T12:00:00Z", "2028-02-29T12:00:00.000Z"],
      ["1970-01-01T00:00:00Z", "1970-01-01T00:00:00.000Z"],
      ["1970-01-01T01:00:00+01:00", "1970-01-01T00:00:00.000Z"],
      ["9999-12-31T23:59:59.999Z", "9999-12-31T23:59:59.999Z"],
      ["9999-12-31T23:59:59.999+05:00", "9999-12-31T18:59:59.999Z"],
    ])("stores %s in UTC as %s, on create, PUT and PATCH", async (input, utc) => {
      const created = await post(user, { title: "due", due_at: input });
      expect(created.status, created.text).toBe(201);
      expect(created.body.due_at).toBe(utc);
      expect((await read(user, created.body.id)).due_at).toBe(utc);
      const task = await createTask(user, { title: "due later" });
      expect((await write("PATCH", user, task.id, { due_at: input })).body.due_at).toBe(utc);
      expect((await write("PUT", user, task.id, { title: "due later", due_at: input })).body.due_at).toBe(utc);
      expect((await read(user, task.id)).due_at).toBe(utc);
    });

    it("keeps millisecond precision: finer fractions are cut to a millisecond", async () => {
      const created = await post(user, { title: "fine", due_at: "2026-12-24T18:00:00.123456789+02:00" });
      expect(created.status, created.text).toBe(201);
      expect(created.body.due_at).toMatch(UTC_MS);
      expect(Math.abs(Date.parse(created.body.due_at) - Date.parse("2026-12-24T16:00:00.123456Z"))).toBeLessThanOrEqual(1);
      expect((await read(user, created.body.id)).due_at).toBe(created.body.due_at);
    });

    it.each([
      ["a date without a time", "2026-12-24"],
      ["a local time without an offset", "2026-12-24T18:00:00"],
      ["a time without seconds", "2026-12-24T18:00Z"],
      ["an offset without a colon", "2026-12-24T18:00:00+0100"],
      ["an offset of 24 hours", "2026-12-24T18:00:00+24:00"],
      ["a space for T", "2026-12-24 18:00:00Z"],
      ["February 30", "2026-02-30T00:00:00Z"],
      ["month 13", "2026-13-01T00:00:00Z"],
      ["hour 25", "2026-12-24T25:00:00Z"],
      ["words", "tomorrow"],
      ["empty", ""],
      ["a number", 1_798_135_200_000],
      ["a boolean", true],
      ["an object", {}],
      ["the last millisecond of 1969", "1969-12-31T23:59:59.999Z"],
      ["1970 locally but 1969 in UTC", "1970-01-01T00:59:59+01:00"],
      ["year 1", "0001-01-01T00:00:00Z"],
      ["9999 locally but 10000 in UTC", "9999-12-31T23:30:00-01:00"],
      ["year 10000 in expanded form", "+010000-01-01T00:00:00Z"],
    ])("rejects %s with 400 naming due_at, on create, PUT and PATCH, changing nothing", async (_, due_at) => {
      const fresh = await signUp();
      expectValidation(await post(fresh, { title: "bad due", due_at }), "due_at");
      expect((await get(fresh)).body.items).toEqual([]);
      const task = await createTask(fresh, { title: "kept", due_at: "2030-01-01T00:00:00Z" });
      expectValidation(await write("PATCH", fresh, task.id, { due_at }), "due_at");
      expectValidation(await write("PUT", fresh, task.id, { title: "kept", due_at }), "due_at");
      expect(await read(fresh, task.id)).toEqual(task);
    });
  });

  describe("priority", () => {
    it.each(PRIORITIES)("accepts %s on create, PUT and PATCH", async (priority) => {
      const created = await post(user, { title: `p ${priority}`, priority });
      expect(created.status, created.text).toBe(201);
      expect(created.body.priority).toBe(priority);
      const task = await createTask(user, { title: "p" });
      expect((await write("PATCH", user, task.id, { priority })).body.priority).toBe(priority);
      expect((await write("PUT", user, task.id, { title: "p", priority })).body.priority).toBe(priority);
      expect((await read(user, task.id)).priority).toBe(priority);
    });

    it.each([["urgent"], ["High"], ["HIGH"], [""], [null], [0], [3], [true], [["high"]]])("rejects %j with 400 naming priority", async (priority) => {
      expectValidation(await post(user, { title: "bad priority", priority }), "priority");
      const task = await createTask(user, { title: "keeps priority", priority: "low" });
      expectValidation(await write("PATCH", user, task.id, { priority }), "priority");
      expectValidation(await write("PUT", user, task.id, { title: "x", priority }), "priority");
      expect(await read(user, task.id)).toEqual(task);
    });
  });

  describe("list_id", () => {
    it("accepts one of the user's lists on create, PUT and PATCH, and null", async () => {
      const other = await createList(user, `other ${Date.now()}`);
      const created = await post(user, { title: "listed", list_id: mine.id });
      expect(created.status, created.text).toBe(201);
      expect(created.body.list_id).toBe(mine.id);
      expect((await write("PATCH", user, created.body.id, { list_id: other.id })).body.list_id).toBe(other.id);
      expect((await write("PATCH", user, created.body.id, { list_id: null })).body.list_id).toBeNull();
      expect((await write("PUT", user, created.body.id, { title: "listed", list_id: mine.id })).body.list_id).toBe(mine.id);
    });

    it.each([["the string 1", "1"], ["0", 0], ["-1", -1], ["1.5", 1.5], ["2147483648", 2_147_483_648], ["true", true], ["an object", {}]])(
      "rejects %s with 400 naming list_id",
      async (_, list_id) => {
        expectValidation(await post(user, { title: "bad list", list_id }), "list_id");
        const task = await createTask(user, { title: "t" });
        expectValidation(await write("PATCH", user, task.id, { list_id }), "list_id");
      },
    );

    it("answers a missing list, a deleted list and another user's list alike: 400 naming list_id, changing nothing", async () => {
      const fresh = await signUp();
      const task = await createTask(fresh, { title: "unchanged", priority: "medium" });
      const ownDeleted = await createList(fresh, "deleted");
      expect((await api("DELETE", `/api/lists/${ownDeleted.id}`, { token: fresh.token })).status).toBe(204);
      const cases = { missing: 2_147_483_647, deleted: ownDeleted.id, "deleted, another user's": deletedList.id, foreign: theirs.id };
      const answers: Record<string, Record<string, unknown>> = {};
      for (const [label, list_id] of Object.entries(cases)) {
        const responses = {
          POST: await post(fresh, { title: "refused", list_id }),
          PUT: await write("PUT", fresh, task.id, { title: "refused", list_id }),
          PATCH: await write("PATCH", fresh, task.id, { list_id }),
        };
        for (const [method, response] of Object.entries(responses)) {
          expectValidation(response, "list_id");
          answers[`${method} ${label}`] = withoutRequestId(response);
        }
      }
      for (const method of ["POST", "PUT", "PATCH"]) {
        expect(answers[`${method} foreign`], `${method}: another user's list answers like a missing one`).toEqual(answers[`${method} missing`]);
        expect(answers[`${method} deleted`]).toEqual(answers[`${method} missing`]);
        expect(answers[`${method} deleted, another user's`]).toEqual(answers[`${method} missing`]);
      }
      expect((await get(fresh)).body.items).toEqual([task]);
      // The other user's list still has no tasks of this user.
      expect((await get(stranger, `list_id=${theirs.id}`)).body.items).toEqual([]);
    });

    it("never yields a 500 when a list is deleted while tasks are written naming it", async () => {
      const racer = await signUp("Racer");
      for (let round = 0; round < 6; round++) {
        const target = await createList(racer, `race ${round}`);
        const inList = await createTask(racer, { title: `in list ${round}`, list_id: target.id });
        const outside = await createTask(racer, { title: `outside ${round}` });
        const other = await createTask(racer, { title: `other ${round}` });
        const requests: [string, () => Promise<ApiResponse>][] = [
          ["DELETE list", () => api("DELETE", `/api/lists/${target.id}`, { token: racer.token })],
          ["PATCH into list", () => write("PATCH", racer, outside.id, { list_id: target.id })],
          ["PATCH inside list", () => write("PATCH", racer, inList.id, { list_id: target.id, priority: "high" })],
          ["PATCH other field", () => write("PATCH", racer, inList.id, { title: `renamed ${round}` })],
          ["PUT into list", () => write("PUT", racer, other.id, { title: "put", list_id: target.id, due_at: "2030-01-01T00:00:00Z" })],
          ["POST into list", () => post(racer, { title: `new ${round} a`, list_id: target.id })],
          ["POST into list", () => post(racer, { title: `new ${round} b`, list_id: target.id, priority: "low" })],
        ];
        const order = round % 2 === 0 ? requests : [...requests].reverse();
        const responses = await Promise.all(order.map(async ([label, run]) => [label, await run()] as const));
        for (const [label, response] of responses) {
          const summary = `round ${round}, ${label}: ${response.status} ${response.text}`;
          expect([200, 201, 204, 400, 404], summary).toContain(response.status);
          if (response.status === 400) expectValidation(response, "list_id");
          if (label === "DELETE list") expect(response.status, summary).toBe(204);
        }
        // The list is gone: no task may still name it.
        const all = await walk(racer, "", 100);
        expect(all.filter((task) => task.list_id === target.id), `round ${round}`).toEqual([]);
      }
    });
  });

  describe("PUT resets, PATCH leaves", () => {
    it("PUT without list_id, due_at and priority sets them to null, null and none", async () => {
      const task = await createTask(user, { title: "full", list_id: mine.id, due_at: "2030-05-05T05:05:05Z", priority: "high" });
      const response = await write("PUT", user, task.id, { title: "replaced" });
      expect(response.status, response.text).toBe(200);
      expect(response.body).toMatchObject({ title: "replaced", list_id: null, due_at: null, priority: "none", description: null, completed: false });
      expect(await read(user, task.id)).toEqual(response.body);
    });

    it("PATCH of any other field leaves list_id, due_at and priority as they are", async () => {
      const task = await createTask(user, { title: "full", list_id: mine.id, due_at: "2030-05-05T05:05:05Z", priority: "high" });
      for (const patch of [{ title: "patched" }, { completed: true }, { description: "d" }]) {
        const response = await write("PATCH", user, task.id, patch);
        expect(response.status, response.text).toBe(200);
        expect(response.body).toMatchObject({ ...patch, list_id: mine.id, due_at: "2030-05-05T05:05:05.000Z", priority: "high" });
      }
    });

    it("PATCH of one new field changes only that field (and updated_at)", async () => {
      const other = await createList(user, `patch target ${Date.now()}`);
      const task = await createTask(user, { title: "one at a time", list_id: mine.id, due_at: "2030-05-05T05:05:05Z", priority: "high" });
      let previous: Task = task;
      for (const [patch, change] of [
        [{ list_id: other.id }, { list_id: other.id }],
        [{ due_at: "2031-01-01T00:00:00+01:00" }, { due_at: "2030-12-31T23:00:00.000Z" }],
        [{ priority: "low" }, { priority: "low" }],
        [{ list_id: null }, { list_id: null }],
        [{ due_at: null }, { due_at: null }],
      ] as const) {
        const response = await write("PATCH", user, task.id, patch);
        expect(response.status, response.text).toBe(200);
        expect(response.body).toEqual({ ...previous, ...change, updated_at: response.body.updated_at });
        expect(response.body.updated_at > previous.updated_at).toBe(true);
        previous = response.body;
      }
    });
  });
});

describe("GET /api/tasks: filters and sorts", () => {
  describe("against a filter and sort computed in JS, over random tasks", () => {
    const random = seededRandom(TEST_SEED);
    const TITLES = ["Buy milk", "buy MILK again", "100% done", "100 done", "snake_case", "snakeXcase", "back\\slash", "Release notes", "release NOTES v2", "a_b%c", "日本語 task", `smile ${EMOJI}`];
    const QUERIES = ["milk", "MILK", "%", "_", "e_c", "0%", "\\", "release", "NOTES", "日本", EMOJI, "zzz", "a_b%c", "0 d", "x"];
    const INSTANTS = Array.from({ length: 8 }, (_, i) => BASE + i * HOUR);
    let user: TestUser;
    let stranger: TestUser;
    let listIds: number[];
    let tasks: Task[];

    beforeAll(async () => {
      [user, stranger] = [await signUp("Filters"), await signUp("Noise")];
      listIds = [(await createList(user, "A")).id, (await createList(user, "B")).id];
      // The other user has tasks in every shape too: none of them may show up.
      const strangerList = await createList(stranger, "A");
      for (let i = 0; i < 6; i++) {
        await createTask(stranger, { title: random.pick(TITLES), list_id: i % 2 ? strangerList.id : null, due_at: new Date(random.pick(INSTANTS)).toISOString(), priority: random.pick(PRIORITIES) });
      }
      tasks = [];
      for (let i = 0; i < 40; i++) {
        const dueMs = random.chance(0.3) ? null : random.pick(INSTANTS);
        const fields = {
          list_id: random.pick([...listIds, null]),
          due_at: dueMs === null ? null : withOffset(dueMs, random.pick([0, 60, -300, 330, 840, -720])),
          priority: random.pick(PRIORITIES),
          completed: random.chance(0.4),
        };
        const title = `${random.pick(TITLES)} ${i}`;
        let task: Task;
        if (random.chance(0.3)) {
          // Some get their fields by PATCH instead.
          const created = await createTask(user, { title });
          const response = await write("PATCH", user, created.id, fields);
          expect(response.status, response.text).toBe(200);
          task = response.body;
        } else {
          task = await createTask(user, { title, ...fields });
        }
        expect(task.due_at, `due_at ${fields.due_at}`).toBe(dueMs === null ? null : new Date(dueMs).toISOString());
        tasks.push(task);
      }
    });

    const expected = (filters: Filters, sort: Sort) => tasks.filter((task) => matches(task, filters)).sort(ORDER[sort]);

    it.each(SORTS)("sort=%s without filters: the whole order, on one page and walked in small pages", async (sort) => {
      const all = expected({}, sort);
      expect((await get(user, `sort=${sort}&limit=100`)).body, `seed ${TEST_SEED}`).toEqual({ items: all, next_cursor: null });
      for (const limit of [1, 3, 7]) expect(ids(await walk(user, `sort=${sort}`, limit)), `seed ${TEST_SEED}, limit ${limit}`).toEqual(ids(all));
    });

    it("sort=created is the default", async () => {
      expect((await get(user, "limit=100")).body.items, `seed ${TEST_SEED}`).toEqual(expected({}, "created"));
    });

    it.each([
      ["list_id (each list)", (lists: number[]) => lists.map((list_id) => ({ list_id }))],
      ["list_id=none", () => [{ list_id: "none" as const }]],
      ["completed", () => [{ completed: true }, { completed: false }]],
      ["due_before", () => [{ due_before: new Date(BASE + 3 * HOUR).toISOString() }, { due_before: withOffset(BASE + 5 * HOUR, -90) }]],
      ["due_after", () => [{ due_after: new Date(BASE + 3 * HOUR).toISOString() }, { due_after: withOffset(BASE + 5 * HOUR, 120) }]],
      ["q", () => QUERIES.map((q) => ({ q }))],
    ] as [string, (lists: number[]) => Filters[]][])("each %s filter, in every sort", async (_, make) => {
      for (const filters of make(listIds)) {
        for (const sort of SORTS) {
          const query = queryOf({ ...filters, sort });
          const want = expected(filters, sort);
          expect(ids((await get(user, `${query}&limit=100`)).body.items), `seed ${TEST_SEED}: ${query}`).toEqual(ids(want));
          expect(ids(await walk(user, query, 4)), `seed ${TEST_SEED}: ${query}&limit=4`).toEqual(ids(want));
        }
      }
    });

    it("random combinations of filters, sorts and page sizes", async () => {
      for (let i = 0; i < 40; i++) {
        const filters: Filters = {};
        if (random.chance(0.4)) filters.list_id = random.pick([...listIds, "none" as const]);
        if (random.chance(0.4)) filters.completed = random.chance(0.5);
        if (random.chance(0.4)) filters.due_before = withOffset(random.pick(INSTANTS) + random.pick([0, 1, -1]), random.pick([0, 60, -600]));
        if (random.chance(0.4)) filters.due_after = withOffset(random.pick(INSTANTS) + random.pick([0, 1, -1]), random.pick([0, 45, -60]));
        if (random.chance(0.3)) filters.q = random.pick(QUERIES);
        const sort = random.pick(SORTS);
        const limit = random.int(1, 8);
        const query = queryOf({ ...filters, sort });
        expect(ids(await walk(user, query, limit)), `seed ${TEST_SEED}: ${query}&limit=${limit}`).toEqual(ids(expected(filters, sort)));
      }
    });

    it("shows no other user's tasks, even for their list's id", async () => {
      const theirList = (await api("GET", "/api/lists", { token: stranger.token })).body.items[0].id;
      const response = await get(user, `list_id=${theirList}`);
      expect(response.status, response.text).toBe(200);
      expect(response.body.items).toEqual([]);
      for (const sort of SORTS) for (const task of await walk(user, `sort=${sort}`, 50)) expect(task.user_id).toBe(user.id);
    });
  });

  describe("orders and ties", () => {
    it("sort=due: soonest first, ties by id ascending, tasks without a due date last (by id ascending)", async () => {
      const user = await signUp();
      const at = (hours: number | null) => (hours === null ? null : new Date(BASE + hours * HOUR).toISOString());
      const made: Task[] = [];
      for (const hours of [null, 2, 1, null, 2, 0, 1, null]) made.push(await createTask(user, { title: `due ${hours}`, due_at: at(hours) }));
      const [n1, a2, b1, n2, c2, d0, e1, n3] = made.map((task) => task.id);
      const order = [d0, b1, e1, a2, c2, n1, n2, n3];
      expect(ids((await get(user, "sort=due")).body.items)).toEqual(order);
      expect(ids(await walk(user, "sort=due", 2))).toEqual(order);
      expect(ids(await walk(user, "sort=due", 1))).toEqual(order);
    });

    it("sort=priority: high, medium, low, none; ties by id descending", async () => {
      const user = await signUp();
      const made: Task[] = [];
      for (const priority of ["low", "high", "none", "medium", "high", "none", "low"] as Priority[]) {
        made.push(await createTask(user, { title: priority, priority }));
      }
      const [l1, h1, n1, m1, h2, n2, l2] = made.map((task) => task.id);
      const order = [h2, h1, m1, l2, l1, n2, n1];
      expect(ids((await get(user, "sort=priority")).body.items)).toEqual(order);
      expect(ids(await walk(user, "sort=priority", 2))).toEqual(order);
    });
  });

  describe("due_before and due_after", () => {
    let user: TestUser;
    let tasks: Record<string, Task>;
    beforeAll(async () => {
      user = await signUp();
      tasks = {
        early: await createTask(user, { title: "early", due_at: "2027-01-01T00:00:00Z" }),
        edge: await createTask(user, { title: "edge", due_at: "2027-06-01T12:00:00Z" }),
        justAfter: await createTask(user, { title: "just after", due_at: "2027-06-01T12:00:00.001Z" }),
        late: await createTask(user, { title: "late", due_at: "2028-01-01T00:00:00Z" }),
        undated: await createTask(user, { title: "undated" }),
      };
    });
    const titles = async (query: string) => (await walk(user, `sort=due&${query}`, 100)).map((task) => task.title);

    it("due_before is strict, due_after inclusive, and neither matches an undated task", async () => {
      expect(await titles("due_before=2027-06-01T12:00:00Z")).toEqual(["early"]);
      expect(await titles("due_after=2027-06-01T12:00:00Z")).toEqual(["edge", "just after", "late"]);
      expect(await titles("due_before=2027-06-01T12:00:00.001Z")).toEqual(["early", "edge"]);
      expect(await titles("due_after=2027-06-01T12:00:00.001Z")).toEqual(["just after", "late"]);
      expect(await titles("due_after=1970-01-01T00:00:00Z")).toEqual(["early", "edge", "just after", "late"]);
      expect(await titles("due_before=9999-12-31T23:59:59.999Z")).toEqual(["early", "edge", "just after", "late"]);
    });

    it("compares instants: the same instant in any offset gives the same answer", async () => {
      for (const instant of ["2027-06-01T12:00:00Z", "2027-06-01T14:00:00+02:00", "2027-06-01T06:30:00-05:30", "2027-06-01T12:00:00.000+00:00"]) {
        expect(await titles(`due_before=${encodeURIComponent(instant)}`), instant).toEqual(["early"]);
        expect(await titles(`due_after=${encodeURIComponent(instant)}`), instant).toEqual(["edge", "just after", "late"]);
      }
    });

    it("combines into a window, and an empty window is an empty page", async () => {
      expect(await titles("due_after=2027-06-01T12:00:00Z&due_before=2028-01-01T00:00:00Z")).toEqual(["edge", "just after"]);
      expect((await get(user, "due_after=2028-01-01T00:00:00Z&due_before=2027-01-01T00:00:00Z")).body).toEqual({ items: [], next_cursor: null });
    });

    it.each(["garbage", "2027-06-01", "2027-06-01T12:00:00", "2027-02-30T00:00:00Z", "1969-12-31T23:59:59Z", "9999-12-31T23:30:00-01:00", ""])(
      "rejects %j as due_before and as due_after with 400 naming the parameter",
      async (value) => {
        expectValidation(await get(user, `due_before=${encodeURIComponent(value)}`), "due_before");
        expectValidation(await get(user, `due_after=${encodeURIComponent(value)}`), "due_after");
      },
    );
  });

  describe("q", () => {
    let user: TestUser;
    beforeAll(async () => {
      user = await signUp();
      for (const title of ["Buy MILK", "milkshake", "100% sure", "100 percent", "snake_case", "snakeXcase", "C:\\path", "C:path", "Äpfel kaufen", "plain"]) {
        await createTask(user, { title });
      }
    });
    const titles = async (q: string) => (await walk(user, `q=${encodeURIComponent(q)}`, 100)).map((task) => task.title).sort();

    it("matches a substring of the title, ignoring ASCII case", async () => {
      expect(await titles("milk")).toEqual(["Buy MILK", "milkshake"]);
      expect(await titles("MiLk")).toEqual(["Buy MILK", "milkshake"]);
      expect(await titles("y m")).toEqual(["Buy MILK"]);
      expect(await titles("nothing like it")).toEqual([]);
    });

    it("matches %, _ and \\ literally", async () => {
      expect(await titles("%")).toEqual(["100% sure"]);
      expect(await titles("0%")).toEqual(["100% sure"]);
      expect(await titles("_")).toEqual(["snake_case"]);
      expect(await titles("e_c")).toEqual(["snake_case"]);
      expect(await titles("\\")).toEqual(["C:\\path"]);
      expect(await titles("%%")).toEqual([]);
      expect(await titles("\\%")).toEqual([]);
    });

    it("ignores case in non-ASCII letters too", async () => {
      expect(await titles("ÄPFEL")).toEqual(["Äpfel kaufen"]);
      expect(await titles("äpfel")).toEqual(["Äpfel kaufen"]);
    });

    it("accepts 100 characters, counted in code points", async () => {
      expect((await get(user, `q=${"a".repeat(100)}`)).status).toBe(200);
      expect((await get(user, `q=${encodeURIComponent(EMOJI.repeat(100))}`)).status).toBe(200);
    });

    it.each([
      ["empty", ""],
      ["101 characters", "a".repeat(101)],
      ["101 emoji", EMOJI.repeat(101)],
      ["U+0000", "a\u0000b"],
    ])("rejects q that is %s with 400 naming q", async (_, q) => {
      expectValidation(await get(user, `q=${encodeURIComponent(q)}`), "q");
    });
  });

  describe("invalid parameters", () => {
    let user: TestUser;
    beforeAll(async () => {
      user = await signUp();
    });

    it.each(["abc", "0", "-1", "1.5", "NONE", "null", "", "2147483648"])("rejects list_id=%s", async (value) => {
      expectValidation(await get(user, `list_id=${value}`), "list_id");
    });

    it.each(["DUE", "newest", "title", "", "due,priority"])("rejects sort=%s", async (value) => {
      expectValidation(await get(user, `sort=${encodeURIComponent(value)}`), "sort");
    });

    it("names every failing parameter at once", async () => {
      expectValidation(await get(user, "list_id=x&sort=x&due_before=x&q="), "list_id", "sort", "due_before", "q");
    });
  });
});

describe("GET /api/tasks: cursors are scoped to their sort and filters", () => {
  let user: TestUser;
  let listIds: number[];
  beforeAll(async () => {
    user = await signUp("Cursors");
    listIds = [(await createList(user, "one")).id, (await createList(user, "two")).id];
    for (let i = 0; i < 8; i++) {
      await createTask(user, {
        title: `cursor task ${i}`,
        completed: i % 2 === 0,
        list_id: [listIds[0], listIds[1], null][i % 3],
        due_at: new Date(BASE + i * HOUR).toISOString(),
        priority: PRIORITIES[i % 4],
      });
    }
  });

  const cursorFor = async (query: string) => {
    const response = await get(user, `${query}${query ? "&" : ""}limit=1`);
    expect(response.status, response.text).toBe(200);
    expect(typeof response.body.next_cursor, query).toBe("string");
    return response.body.next_cursor as string;
  };

  it("refuses a cursor from another sort", async () => {
    for (const from of SORTS) {
      const cursor = await cursorFor(`sort=${from}`);
      for (const to of SORTS.filter((sort) => sort !== from)) expectValidation(await get(user, withCursor(`sort=${to}`, cursor)), "cursor");
      if (from !== "created") expectValidation(await get(user, withCursor("", cursor)), "cursor");
    }
  });

  it.each([
    ["completed=true", ["completed=false", "", "completed=true&q=task"]],
    [`list_id=LIST0`, ["list_id=LIST1", "list_id=none", ""]],
    ["list_id=none", ["list_id=LIST0", ""]],
    ["q=task", ["q=tas", "q=task 1", ""]],
    ["due_before=2027-03-14T12:00:00Z", ["due_before=2027-03-14T13:00:00Z", "due_after=2027-03-14T12:00:00Z", ""]],
    ["due_after=2027-03-14T09:00:00Z", ["due_after=2027-03-14T10:00:00Z", ""]],
    ["", ["completed=false", "q=task", "list_id=LIST0", "due_before=2030-01-01T00:00:00Z", "due_after=2000-01-01T00:00:00Z"]],
  ])("refuses a cursor made with filters '%s' under other filters, in every sort", async (fromTemplate, toTemplates) => {
    const fill = (template: string) => template.replace("LIST0", String(listIds[0])).replace("LIST1", String(listIds[1]));
    for (const sort of SORTS) {
      const from = `${fill(fromTemplate)}${fromTemplate ? "&" : ""}sort=${sort}`;
      const cursor = await cursorFor(from);
      for (const toTemplate of toTemplates) {
        const to = `${fill(toTemplate)}${toTemplate ? "&" : ""}sort=${sort}`;
        expectValidation(await get(user, withCursor(to, cursor)), "cursor");
      }
      // The same sort and filters, with another page size, is fine.
      const same = await get(user, withCursor(`${from}&limit=3`, cursor));
      expect(same.status, `${from}: ${same.text}`).toBe(200);
    }
  });

  it("accepts a sort=created cursor without sort (the default) and the filters in any parameter order", async () => {
    const cursor = await cursorFor("sort=created");
    expect((await get(user, withCursor("", cursor))).status).toBe(200);
    const filtered = await cursorFor(`completed=true&list_id=${listIds[0]}&sort=due`);
    expect((await get(user, withCursor(`sort=due&list_id=${listIds[0]}&completed=true`, filtered))).status).toBe(200);
  });

  it("refuses well-formed cursors carrying values of the wrong shape with 400, never 500", async () => {
    // Real cursors, re-encoded by the server's own codec with one value replaced, one dropped or
    // one added: the scope stays right, only the values are wrong.
    for (const sort of SORTS) {
      const query = `sort=${sort}`;
      const real = await cursorFor(query);
      const { scope, values } = cursorSchema.parse(real);
      const forged: (string | number | null)[][] = [values.slice(0, -1), [...values, 1], []];
      values.forEach((_, i) => {
        for (const bad of ["x", -1, 1.5, 2_147_483_648]) forged.push(values.map((value, j) => (j === i ? bad : value)));
      });
      for (const forgedValues of forged) {
        const response = await get(user, withCursor(query, encodeCursor({ scope, values: forgedValues })));
        expectValidation(response, "cursor");
      }
      // Control: the same codec round trip of the real values is accepted.
      expect((await get(user, withCursor(query, encodeCursor({ scope, values })))).status).toBe(200);
    }
  });
});

describe("GET /api/tasks: keyset paging while tasks change between pages", () => {
  interface Tracker {
    /** Tasks updated or deleted since the walk began: each may appear at most once. */
    changed: Set<number>;
    deleted: Set<number>;
  }

  /**
   * Walks pages of `limit` in `query`, calling `between` after every page but the last, and
   * checks the contract: no task twice; every task of `original` unchanged throughout and
   * matching `filters` exactly once; no task deleted before its page.
   */
  async function walkWhileChanging(
    user: TestUser,
    query: string,
    filters: Filters,
    limit: number,
    original: Task[],
    between: (seen: Task[], tracker: Tracker) => Promise<void>,
    label: string,
  ) {
    const tracker: Tracker = { changed: new Set(), deleted: new Set() };
    const deletedUnseen = new Set<number>();
    const seen: Task[] = [];
    let response = await get(user, `${query}&limit=${limit}`);
    expect(response.status, response.text).toBe(200);
    seen.push(...response.body.items);
    for (let pages = 0; response.body.next_cursor; pages++) {
      expect(pages).toBeLessThan(100);
      await between(seen, tracker);
      for (const id of tracker.deleted) if (!seen.some((task) => task.id === id)) deletedUnseen.add(id);
      response = await get(user, withCursor(`${query}&limit=${limit}`, response.body.next_cursor));
      expect(response.status, response.text).toBe(200);
      seen.push(...response.body.items);
    }
    const seenIds = ids(seen);
    const twice = seenIds.filter((id, i) => seenIds.indexOf(id) !== i);
    expect.soft(twice, `${label}: tasks seen twice (changed between pages: ${[...tracker.changed].join(", ")})`).toEqual([]);
    for (const task of original) {
      if (!tracker.changed.has(task.id) && matches(task, filters)) {
        expect.soft(seenIds, `${label}: task ${task.id} was unchanged throughout`).toContain(task.id);
      }
    }
    for (const id of deletedUnseen) expect.soft(seenIds, `${label}: task ${id} was deleted before its page`).not.toContain(id);
    return seen;
  }

  const patch = async (user: TestUser, id: number, json: Record<string, unknown>, tracker: Tracker) => {
    const response = await write("PATCH", user, id, json);
    expect(response.status, response.text).toBe(200);
    tracker.changed.add(id);
  };
  const remove = async (user: TestUser, id: number, tracker: Tracker) => {
    expect((await api("DELETE", `/api/tasks/${id}`, { token: user.token })).status).toBe(204);
    tracker.changed.add(id);
    tracker.deleted.add(id);
  };

  // For each sort: a change that moves a task backwards (into what was already paged) and one
  // that moves it forwards (past the cursor).
  const MOVES: Record<Sort, { back: Record<string, unknown>; forward: Record<string, unknown> }> = {
    created: { back: { title: "retitled" }, forward: { completed: true } },
    due: { back: { due_at: new Date(BASE - 100 * HOUR).toISOString() }, forward: { due_at: new Date(BASE + 100 * HOUR).toISOString() } },
    priority: { back: { priority: "high" }, forward: { priority: "none" } },
  };
  const seedTasks = async (user: TestUser, count: number) => {
    const made: Task[] = [];
    for (let i = 0; i < count; i++) {
      made.push(
        await createTask(user, {
          title: `walk ${i}`,
          due_at: new Date(BASE + i * HOUR).toISOString(),
          priority: PRIORITIES[i % 4],
        }),
      );
    }
    return made;
  };

  describe.each(SORTS)("sort=%s", (sort) => {
    it("unchanged tasks appear exactly once while others are created, deleted, and moved behind the cursor or further ahead", async () => {
      const user = await signUp();
      const original = await seedTasks(user, 10);
      await walkWhileChanging(
        user,
        `sort=${sort}`,
        {},
        3,
        original,
        async (seenSoFar, tracker) => {
          const live = (task: Task) => !tracker.changed.has(task.id);
          const unseen = original.filter((task) => live(task) && !seenSoFar.some((s) => s.id === task.id));
          const seenOnes = seenSoFar.filter((task) => live(task) && original.some((o) => o.id === task.id));
          // An unseen task moved behind the cursor (may be skipped), a seen one moved further behind.
          if (unseen.length > 1) await patch(user, unseen.at(-1)!.id, MOVES[sort].back, tracker);
          if (seenOnes[0]) await patch(user, seenOnes[0].id, MOVES[sort].back, tracker);
          // An unseen task moved further ahead.
          if (unseen.length > 2) await patch(user, unseen[0]!.id, MOVES[sort].forward, tracker);
          if (unseen.length > 3) await remove(user, unseen[1]!.id, tracker);
          if (seenOnes[1]) await remove(user, seenOnes[1].id, tracker);
          await createTask(user, { title: "new, due early, high", due_at: new Date(BASE - 50 * HOUR).toISOString(), priority: "high" });
          await createTask(user, { title: "new, undated, none" });
        },
        `sort=${sort}`,
      );
    });

    it("a task already shown, then changed so that it sorts after the cursor, is not shown again", async () => {
      const user = await signUp();
      const original = await seedTasks(user, 6);
      const first = await get(user, `sort=${sort}&limit=2`);
      const shown = first.body.items[0] as Task;
      const response = await write("PATCH", user, shown.id, MOVES[sort].forward);
      expect(response.status, response.text).toBe(200);
      let cursor = first.body.next_cursor as string | null;
      const rest: Task[] = [];
      while (cursor) {
        const page = await get(user, withCursor(`sort=${sort}&limit=2`, cursor));
        rest.push(...page.body.items);
        cursor = page.body.next_cursor;
      }
      const restIds = ids(rest);
      for (const task of original.filter((task) => !ids(first.body.items).includes(task.id))) expect(restIds).toContain(task.id);
      expect(restIds, `task ${shown.id} was on page 1 and was changed by ${JSON.stringify(MOVES[sort].forward)}`).not.toContain(shown.id);
    });

    it("a task changed in a burst just before the first page, and not during the walk, appears exactly once", async () => {
      // Parallel writes to one task each move updated_at at least a millisecond on, so after a
      // burst it can lie ahead of the clock: the walk that starts next must still show the task.
      const user = await signUp();
      const original = await seedTasks(user, 6);
      const target = [...original].sort(ORDER[sort]).at(-1)!;
      const burst = await Promise.all(Array.from({ length: 40 }, (_, i) => write("PATCH", user, target.id, { title: `burst ${i}` })));
      for (const response of burst) expect(response.status, response.text).toBe(200);
      const seen = ids(await walk(user, `sort=${sort}`, 1));
      expect(seen.filter((id) => id === target.id), `task ${target.id}, last in sort=${sort}, updated_at ${(await read(user, target.id)).updated_at}`).toHaveLength(1);
      expect(seen.sort()).toEqual(ids(original).sort());
    });

    it("holds for random creates, updates and deletes between pages, with and without filters", async () => {
      const random = seededRandom(TEST_SEED + SORTS.indexOf(sort) + 7);
      const user = await signUp();
      const listIds = [(await createList(user, "x")).id, (await createList(user, "y")).id];
      const randomFields = () => ({
        due_at: random.chance(0.25) ? null : withOffset(BASE + random.int(0, 12) * HOUR, random.pick([0, 60, -120])),
        priority: random.pick(PRIORITIES),
        completed: random.chance(0.3),
        list_id: random.pick([...listIds, null]),
      });
      const original: Task[] = [];
      for (let i = 0; i < 16; i++) original.push(await createTask(user, { title: `random ${i}`, ...randomFields() }));
      for (const filters of [{}, { list_id: listIds[0] }, { completed: false }] as Filters[]) {
        const current = await walk(user, "", 100);
        const limit = random.int(2, 4);
        const label = `seed ${TEST_SEED}, sort=${sort}, ${JSON.stringify(filters)}, limit ${limit}`;
        await walkWhileChanging(
          user,
          queryOf({ ...filters, sort }),
          filters,
          limit,
          current,
          async (_, tracker) => {
            for (let op = random.int(1, 3); op > 0; op--) {
              const live = current.filter((task) => !tracker.deleted.has(task.id));
              const roll = random.next();
              if (roll < 0.5 && live.length) {
                const fields = randomFields();
                const key = random.pick(Object.keys(fields) as (keyof typeof fields)[]);
                await patch(user, random.pick(live).id, { [key]: fields[key] }, tracker);
              } else if (roll < 0.75 && live.length) {
                await remove(user, random.pick(live).id, tracker);
              } else {
                await createTask(user, { title: `created between pages ${random.int(0, 1e6)}`, ...randomFields() });
              }
            }
          },
          label,
        );
      }
    });
  });
});
