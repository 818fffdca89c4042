import { beforeAll, describe, expect, it } from "vitest";
import { api, createTask, expectValidation, signUp, type TestUser } from "@/test/api";

// Integration tests for GET /api/tasks and POST /api/tasks, on the real handlers and database:
// the rules of tasks. The rules every resource shares (credentials, body reader, page size,
// keyset paging, 405) are in app/api/resources.test.ts. Every test makes its own users: the pg
// and neon projects share one database.

const TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const EMOJI = "\u{1F600}"; // one code point, two UTF-16 units

const JSON_HEADERS = { "content-type": "application/json" };

/** Asserts the full Task shape. */
function expectTask(task: any, user: TestUser, fields: { title: string; description: string | null; completed: boolean }) {
  expect(Object.keys(task).sort()).toEqual(
    ["completed", "created_at", "description", "due_at", "id", "list_id", "priority", "title", "updated_at", "user_id"].sort(),
  );
  expect(Number.isInteger(task.id)).toBe(true);
  expect(task.id).toBeGreaterThan(0);
  expect(task.user_id).toBe(user.id);
  expect(task.title).toBe(fields.title);
  expect(task.description).toBe(fields.description);
  expect(task.completed).toBe(fields.completed);
  expect(task.created_at).toMatch(TIMESTAMP);
  expect(task.updated_at).toMatch(TIMESTAMP);
  expect(Math.abs(Date.parse(task.created_at) - Date.now())).toBeLessThan(5 * 60_000);
  expect(Date.parse(task.updated_at)).toBeGreaterThanOrEqual(Date.parse(task.created_at));
}

const post = (user: TestUser, json: unknown) => api("POST", "/api/tasks", { token: user.token, json });

const postRaw = (user: TestUser | undefined, body: BodyInit, headers: Record<string, string> = JSON_HEADERS) =>
  api("POST", "/api/tasks", { token: user?.token, body, headers });

const list = (user: TestUser, query = "") => api("GET", `/api/tasks${query}`, { token: user.token });

/** Every page of a listing, following next_cursor to the end. */
async function allPages(user: TestUser, query: string) {
  const pages: any[] = [];
  let cursor: string | null = null;
  do {
    const separator = query ? "&" : "";
    const response = await list(user, `?${query}${cursor ? `${separator}cursor=${encodeURIComponent(cursor)}` : ""}`);
    expect(response.status).toBe(200);
    pages.push(response.body);
    cursor = response.body.next_cursor;
    expect(pages.length).toBeLessThan(100);
  } while (cursor !== null);
  return pages;
}

const ids = (tasks: { id: number }[]) => tasks.map((task) => task.id);
const newestFirst = (values: number[]) => [...values].sort((a, b) => b - a);

describe("POST /api/tasks", () => {
  let user: TestUser;
  beforeAll(async () => {
    user = await signUp("Creator");
  });

  describe("success", () => {
    it("creates a task with defaults: 201, Location, the Task, and it can be read back", async () => {
      const response = await post(user, { title: "Write the release notes" });
      expect(response.status).toBe(201);
      expect(response.headers.get("content-type")).toContain("application/json");
      expectTask(response.body, user, { title: "Write the release notes", description: null, completed: false });
      expect(response.headers.get("location")).toBe(`/api/tasks/${response.body.id}`);

      const read = await api("GET", response.headers.get("location")!, { token: user.token });
      expect(read.status).toBe(200);
      expect(read.body).toEqual(response.body);
    });

    it("stores every given field", async () => {
      const response = await post(user, { title: "Full", description: "All the details", completed: true });
      expect(response.status).toBe(201);
      expectTask(response.body, user, { title: "Full", description: "All the details", completed: true });
    });

    it("accepts description null and completed false explicitly", async () => {
      const response = await post(user, { title: "Explicit", description: null, completed: false });
      expect(response.status).toBe(201);
      expectTask(response.body, user, { title: "Explicit", description: null, completed: false });
    });

    it("gives each task a new id, increasing in creation order", async () => {
      const first = await createTask(user, { title: "first" });
      const second = await createTask(user, { title: "second" });
      expect(second.id).toBeGreaterThan(first.id);
    });

    it("trims the title", async () => {
      const response = await post(user, { title: " \t Buy milk \n " });
      expect(response.status).toBe(201);
      expect(response.body.title).toBe("Buy milk");
    });

    it("counts the 200-character title limit on the title as sent, like the document's maxLength", async () => {
      const title = "a".repeat(198);
      const response = await post(user, { title: ` ${title} ` });
      expect(response.status).toBe(201);
      expect(response.body.title).toBe(title);
      expectValidation(await post(user, { title: `   ${"a".repeat(200)}   ` }), "title");
    });

    it("accepts a 200 code point title of emoji (400 UTF-16 units) and stores it intact", async () => {
      const title = EMOJI.repeat(200);
      expect(title.length).toBe(400);
      const response = await post(user, { title });
      expect(response.status).toBe(201);
      expect(response.body.title).toBe(title);
      const read = await api("GET", `/api/tasks/${response.body.id}`, { token: user.token });
      expect(read.body.title).toBe(title);
    });

    it("accepts a 1000 code point description of emoji and stores it intact", async () => {
      const description = EMOJI.repeat(1000);
      const response = await post(user, { title: "Long description", description });
      expect(response.status).toBe(201);
      expect(response.body.description).toBe(description);
      const read = await api("GET", `/api/tasks/${response.body.id}`, { token: user.token });
      expect(read.body.description).toBe(description);
    });

    it("decodes an escaped surrogate pair into one character", async () => {
      const response = await postRaw(user, '{"title":"smile \\ud83d\\ude00"}');
      expect(response.status).toBe(201);
      expect(response.body.title).toBe(`smile ${EMOJI}`);
    });

    it("accepts application/json with parameters and in any letter case", async () => {
      const withCharset = await postRaw(user, '{"title":"charset"}', { "content-type": "application/json; charset=utf-8" });
      expect(withCharset.status).toBe(201);
      const upper = await postRaw(user, '{"title":"upper"}', { "content-type": "Application/JSON" });
      expect(upper.status).toBe(201);
    });

    it("authenticates with the session cookie as well as the bearer token", async () => {
      const response = await api("POST", "/api/tasks", { cookie: user.cookie, json: { title: "From the browser" } });
      expect(response.status).toBe(201);
      expectTask(response.body, user, { title: "From the browser", description: null, completed: false });
    });
  });

  describe("title validation", () => {
    it("requires a title", async () => {
      expectValidation(await post(user, {}), "title");
      expectValidation(await post(user, { description: "no title" }), "title");
    });

    it.each([
      ["empty", ""],
      ["whitespace only", " \t\n "],
      ["null", null],
      ["a number", 42],
      ["a boolean", true],
      ["an array", ["title"]],
      ["an object", { text: "title" }],
    ])("rejects a title that is %s", async (_, title) => {
      expectValidation(await post(user, { title }), "title");
    });

    it("rejects 201 characters", async () => {
      expectValidation(await post(user, { title: "a".repeat(201) }), "title");
    });

    it("rejects 201 emoji (code points, not UTF-16 units, are counted)", async () => {
      expectValidation(await post(user, { title: EMOJI.repeat(201) }), "title");
    });

    it("rejects U+0000", async () => {
      expectValidation(await post(user, { title: "nul\u0000byte" }), "title");
    });

    it("rejects a lone surrogate with 400, not 500", async () => {
      expectValidation(await postRaw(user, '{"title":"\\ud800"}'), "title");
      expectValidation(await postRaw(user, '{"title":"x\\udc00y"}'), "title");
    });
  });

  describe("description and completed validation", () => {
    it("rejects a description of 1001 code points", async () => {
      expectValidation(await post(user, { title: "t", description: "d".repeat(1001) }), "description");
      expectValidation(await post(user, { title: "t", description: EMOJI.repeat(1001) }), "description");
    });

    it.each([
      ["a number", 5],
      ["a boolean", false],
      ["an array", ["d"]],
    ])("rejects a description that is %s", async (_, description) => {
      expectValidation(await post(user, { title: "t", description }), "description");
    });

    it("rejects U+0000 and lone surrogates in the description", async () => {
      expectValidation(await post(user, { title: "t", description: "a\u0000" }), "description");
      expectValidation(await postRaw(user, '{"title":"t","description":"\\udfff"}'), "description");
    });

    it.each([
      ["the string true", "true"],
      ["the string false", "false"],
      ["1", 1],
      ["0", 0],
      ["null", null],
    ])("does not coerce completed: %s is rejected", async (_, completed) => {
      expectValidation(await post(user, { title: "t", completed }), "completed");
    });

    it("names every failing field at once", async () => {
      const body = expectValidation(await post(user, { title: "", description: 1, completed: "yes" }), "title", "description", "completed");
      expect(body.errors.length).toBeGreaterThanOrEqual(3);
    });
  });

  describe("server-owned and unknown fields", () => {
    it.each([
      ["id", 123],
      ["user_id", "someone-else"],
      ["created_at", "2020-01-01T00:00:00.000Z"],
      ["updated_at", "2020-01-01T00:00:00.000Z"],
      ["Title", "wrong case"],
    ])("rejects %s", async (field, value) => {
      expectValidation(await post(user, { title: "valid", [field]: value }), field);
    });

    it("creates nothing when the body is rejected", async () => {
      const fresh = await signUp();
      expectValidation(await post(fresh, { title: "sneaky", user_id: user.id }), "user_id");
      expect((await list(fresh)).body.items).toEqual([]);
      expect((await list(user)).body.items.some((task: any) => task.title === "sneaky")).toBe(false);
    });
  });

});

describe("GET /api/tasks", () => {
  describe("listing", () => {
    it("answers an empty page for a user with no tasks", async () => {
      const user = await signUp();
      const response = await list(user);
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toContain("application/json");
      expect(response.body).toEqual({ items: [], next_cursor: null });
    });

    it("lists the user's tasks newest first, as full Tasks", async () => {
      const user = await signUp();
      const created = [];
      for (const title of ["one", "two", "three"]) created.push(await createTask(user, { title }));
      const response = await list(user);
      expect(response.status).toBe(200);
      expect(Object.keys(response.body).sort()).toEqual(["items", "next_cursor"]);
      expect(response.body.next_cursor).toBeNull();
      expect(response.body.items).toEqual([...created].reverse());
      const createdAt = response.body.items.map((task: any) => Date.parse(task.created_at));
      expect(createdAt).toEqual([...createdAt].sort((a, b) => b - a));
      for (const task of response.body.items) expect(task.user_id).toBe(user.id);
    });

    it("filters by completed=true and completed=false", async () => {
      const user = await signUp();
      const done = [await createTask(user, { title: "done 1", completed: true })];
      const open = [await createTask(user, { title: "open 1" })];
      done.push(await createTask(user, { title: "done 2", completed: true }));
      open.push(await createTask(user, { title: "open 2", completed: false }));

      const completed = await list(user, "?completed=true");
      expect(completed.status).toBe(200);
      expect(ids(completed.body.items)).toEqual(newestFirst(ids(done)));
      expect(completed.body.items.every((task: any) => task.completed === true)).toBe(true);

      const notCompleted = await list(user, "?completed=false");
      expect(notCompleted.status).toBe(200);
      expect(ids(notCompleted.body.items)).toEqual(newestFirst(ids(open)));
      expect(notCompleted.body.items.every((task: any) => task.completed === false)).toBe(true);

      expect(ids((await list(user)).body.items)).toEqual(newestFirst([...ids(done), ...ids(open)]));
    });

    it.each(["yes", "1", "TRUE", "null"])("rejects completed=%s", async (value) => {
      const user = await signUp();
      expectValidation(await list(user, `?completed=${value}`), "completed");
    });

    it("shows a user only their own tasks", async () => {
      const alice = await signUp("Alice");
      const bob = await signUp("Bob");
      const carol = await signUp("Carol");
      const aliceTasks = [await createTask(alice, { title: "alice 1" }), await createTask(alice, { title: "alice 2", completed: true })];
      const bobTasks = [await createTask(bob, { title: "bob 1" }), await createTask(bob, { title: "bob 2", completed: true })];

      for (const [user, own] of [
        [alice, aliceTasks],
        [bob, bobTasks],
      ] as const) {
        const all = await list(user);
        expect(ids(all.body.items)).toEqual(newestFirst(ids(own)));
        for (const filter of ["?completed=true", "?completed=false", "?limit=1"]) {
          const page = await list(user, filter);
          for (const task of page.body.items) expect(task.user_id).toBe(user.id);
        }
        const paged = (await allPages(user, "limit=1")).flatMap((page) => page.items);
        expect(ids(paged)).toEqual(newestFirst(ids(own)));
      }
      expect((await list(carol)).body).toEqual({ items: [], next_cursor: null });
    });
  });

  describe("limit", () => {
    let user: TestUser;
    let all: number[];
    beforeAll(async () => {
      user = await signUp("Many");
      const created = await Promise.all(Array.from({ length: 51 }, (_, i) => createTask(user, { title: `task ${i}` })));
      all = newestFirst(ids(created));
    });

    it("defaults to 50", async () => {
      const first = await list(user);
      expect(first.status).toBe(200);
      expect(ids(first.body.items)).toEqual(all.slice(0, 50));
      expect(typeof first.body.next_cursor).toBe("string");
      const second = await list(user, `?cursor=${encodeURIComponent(first.body.next_cursor)}`);
      expect(ids(second.body.items)).toEqual(all.slice(50));
      expect(second.body.next_cursor).toBeNull();
    });

    it("accepts 1 and 100", async () => {
      const one = await list(user, "?limit=1");
      expect(one.status).toBe(200);
      expect(ids(one.body.items)).toEqual(all.slice(0, 1));
      expect(typeof one.body.next_cursor).toBe("string");

      const hundred = await list(user, "?limit=100");
      expect(hundred.status).toBe(200);
      expect(ids(hundred.body.items)).toEqual(all);
      expect(hundred.body.next_cursor).toBeNull();
    });

    it("gives no cursor when the page holds exactly the remaining tasks", async () => {
      const exact = await list(user, "?limit=51");
      expect(ids(exact.body.items)).toEqual(all);
      expect(exact.body.next_cursor).toBeNull();
    });

  });

  describe("cursor paging", () => {
    it("pages through a completed filter", async () => {
      const user = await signUp();
      const done: number[] = [];
      for (let i = 0; i < 6; i++) {
        const task = await createTask(user, { title: `t${i}`, completed: i % 2 === 0 });
        if (task.completed) done.push(task.id);
      }
      const pages = await allPages(user, "completed=true&limit=2");
      expect(pages.map((page) => page.items.length)).toEqual([2, 1]);
      const items = pages.flatMap((page) => page.items);
      expect(ids(items)).toEqual(newestFirst(done));
      expect(items.every((task: any) => task.completed)).toBe(true);
    });

  });

});
