import { beforeAll, describe, expect, it } from "vitest";
import { api, createTask, expectError, expectValidation, signUp, type ApiResponse, type TestUser } from "@/test/api";

// Integration tests for GET, PUT, PATCH and DELETE /api/tasks/{id}, on the real handlers and
// database: the rules of tasks. Ids, ownership, credentials and 405 are the shared resource
// contract (app/api/resources.test.ts). Every test makes its own users: the pg and neon
// projects share one database.

const TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const EMOJI = "\u{1F600}"; // one code point, two UTF-16 units
const JSON_HEADERS = { "content-type": "application/json" };

const path = (id: number | string) => `/api/tasks/${id}`;
const get = (user: TestUser, id: number | string) => api("GET", path(id), { token: user.token });
const put = (user: TestUser, id: number | string, json: unknown) => api("PUT", path(id), { token: user.token, json });
const patch = (user: TestUser, id: number | string, json: unknown) => api("PATCH", path(id), { token: user.token, json });
const del = (user: TestUser, id: number | string) => api("DELETE", path(id), { token: user.token });

function expectNotFound(response: ApiResponse) {
  return expectError(response, 404, "TASK_NOT_FOUND");
}

/** A successful Task response with the given fields, the right owner and well-formed timestamps. */
function expectTask(
  response: ApiResponse,
  user: TestUser,
  fields: { id?: number; title: string; description: string | null; completed: boolean },
) {
  expect(response.status, response.text).toBe(200);
  expect(response.headers.get("content-type")).toContain("application/json");
  const task = response.body;
  expect(Object.keys(task).sort()).toEqual(["completed", "created_at", "description", "due_at", "id", "list_id", "priority", "title", "updated_at", "user_id"]);
  if (fields.id !== undefined) expect(task.id).toBe(fields.id);
  expect(task.user_id).toBe(user.id);
  expect(task.title).toBe(fields.title);
  expect(task.description).toBe(fields.description);
  expect(task.completed).toBe(fields.completed);
  expect(task.created_at).toMatch(TIMESTAMP);
  expect(task.updated_at).toMatch(TIMESTAMP);
  return task;
}

/** `after` is strictly later than `before`, both as instants and as RFC 3339 strings. */
function expectLater(after: string, before: string) {
  expect(Date.parse(after)).toBeGreaterThan(Date.parse(before));
  expect(after > before).toBe(true);
}

describe("GET /api/tasks/{id}", () => {
  it("answers the user's own task", async () => {
    const user = await signUp();
    const task = await createTask(user, { title: "Read me", description: "details", completed: true });
    const response = await get(user, task.id);
    expectTask(response, user, { id: task.id, title: "Read me", description: "details", completed: true });
    expect(response.body).toEqual(task);
  });
});

describe("PUT /api/tasks/{id}", () => {
  let user: TestUser;
  beforeAll(async () => {
    user = await signUp("Replacer");
  });

  it("replaces every field and trims the title", async () => {
    const task = await createTask(user, { title: "old" });
    const response = await put(user, task.id, { title: "  new title  ", description: "new description", completed: true });
    const replaced = expectTask(response, user, { id: task.id, title: "new title", description: "new description", completed: true });
    expect(replaced.created_at).toBe(task.created_at);
    expect((await get(user, task.id)).body).toEqual(replaced);
  });

  it("resets description and completed to their defaults when absent", async () => {
    const task = await createTask(user, { title: "full", description: "will be cleared", completed: true });
    const response = await put(user, task.id, { title: "only a title" });
    expectTask(response, user, { id: task.id, title: "only a title", description: null, completed: false });
    expectTask(await get(user, task.id), user, { id: task.id, title: "only a title", description: null, completed: false });
  });

  it("accepts 200 emoji in the title and rejects 201", async () => {
    const task = await createTask(user);
    expectTask(await put(user, task.id, { title: EMOJI.repeat(200) }), user, { title: EMOJI.repeat(200), description: null, completed: false });
    expectValidation(await put(user, task.id, { title: EMOJI.repeat(201) }), "title");
  });

  it.each<[string, unknown, string]>([
    ["no title", { description: "d", completed: true }, "title"],
    ["an empty title", { title: "" }, "title"],
    ["a blank title", { title: "   " }, "title"],
    ["a null title", { title: null }, "title"],
    ["a 1001 code point description", { title: "t", description: EMOJI.repeat(1001) }, "description"],
    ["completed as a string", { title: "t", completed: "true" }, "completed"],
    ["U+0000 in the title", { title: "a\u0000" }, "title"],
    ["U+0000 in the description", { title: "t", description: "\u0000" }, "description"],
    ["an id", { title: "t", id: 1 }, "id"],
    ["a user_id", { title: "t", user_id: "someone" }, "user_id"],
    ["a created_at", { title: "t", created_at: "2020-01-01T00:00:00.000Z" }, "created_at"],
    ["an updated_at", { title: "t", updated_at: "2020-01-01T00:00:00.000Z" }, "updated_at"],
    ["an unknown field", { title: "t", tags: [] }, "tags"],
  ])("rejects %s and changes nothing", async (_, json, field) => {
    const task = await createTask(user, { title: "keep", description: "me", completed: true });
    expectValidation(await put(user, task.id, json), field);
    expect((await get(user, task.id)).body).toEqual(task);
  });

  it("rejects a lone surrogate with 400, not 500", async () => {
    const task = await createTask(user);
    const response = await api("PUT", path(task.id), { token: user.token, body: '{"title":"\\ud800"}', headers: JSON_HEADERS });
    expectValidation(response, "title");
  });

});

describe("PATCH /api/tasks/{id}", () => {
  let user: TestUser;
  beforeAll(async () => {
    user = await signUp("Patcher");
  });

  it.each<[string, Record<string, unknown>, { title: string; description: string | null; completed: boolean }]>([
    ["title only", { title: "  renamed " }, { title: "renamed", description: "original", completed: false }],
    ["description only", { description: "changed" }, { title: "original", description: "changed", completed: false }],
    ["description null", { description: null }, { title: "original", description: null, completed: false }],
    ["completed only", { completed: true }, { title: "original", description: "original", completed: true }],
    ["all three", { title: "t", description: "d", completed: true }, { title: "t", description: "d", completed: true }],
  ])("changes %s and keeps the rest", async (_, json, expected) => {
    const task = await createTask(user, { title: "original", description: "original", completed: false });
    const patched = expectTask(await patch(user, task.id, json), user, { id: task.id, ...expected });
    expect(patched.created_at).toBe(task.created_at);
    expect((await get(user, task.id)).body).toEqual(patched);
  });

  it("accepts 200 emoji in the title and rejects 201", async () => {
    const task = await createTask(user);
    expect((await patch(user, task.id, { title: EMOJI.repeat(200) })).body.title).toBe(EMOJI.repeat(200));
    expectValidation(await patch(user, task.id, { title: EMOJI.repeat(201) }), "title");
  });

  it.each<[string, unknown, string]>([
    ["an empty patch {}", {}, "body"],
    ["title null", { title: null }, "title"],
    ["an empty title", { title: "" }, "title"],
    ["a blank title", { title: " \n " }, "title"],
    ["completed null", { completed: null }, "completed"],
    ["completed as a string", { completed: "true" }, "completed"],
    ["completed as a number", { completed: 1 }, "completed"],
    ["a 1001 character description", { description: "d".repeat(1001) }, "description"],
    ["U+0000 in the description", { description: "x\u0000y" }, "description"],
    ["an id", { id: 5 }, "id"],
    ["a user_id", { completed: true, user_id: "someone" }, "user_id"],
    ["a created_at", { created_at: "2020-01-01T00:00:00.000Z" }, "created_at"],
    ["an updated_at", { updated_at: "2020-01-01T00:00:00.000Z" }, "updated_at"],
    ["an unknown field", { done: true }, "done"],
  ])("rejects %s and changes nothing", async (_, json, field) => {
    const task = await createTask(user, { title: "keep", description: "me", completed: true });
    const response = await patch(user, task.id, json);
    if (field === "body") expectError(response, 400, "VALIDATION_ERROR");
    else expectValidation(response, field);
    expect((await get(user, task.id)).body).toEqual(task);
  });

  it("rejects a lone surrogate with 400, not 500", async () => {
    const task = await createTask(user);
    const response = await api("PATCH", path(task.id), { token: user.token, body: '{"description":"\\udbff"}', headers: JSON_HEADERS });
    expectValidation(response, "description");
  });

});

describe("updated_at and created_at", () => {
  it("updated_at moves forward on every successful update; created_at never changes", async () => {
    const user = await signUp();
    const task = await createTask(user, { title: "clock" });
    expect(Date.parse(task.updated_at)).toBeGreaterThanOrEqual(Date.parse(task.created_at));

    const updates: [string, () => Promise<ApiResponse>][] = [
      ["PUT", () => put(user, task.id, { title: "replaced" })],
      ["PATCH title", () => patch(user, task.id, { title: "patched" })],
      ["PATCH completed", () => patch(user, task.id, { completed: true })],
      ["PATCH with the same value", () => patch(user, task.id, { completed: true })],
      ["PUT with the same values", () => put(user, task.id, { title: "patched", completed: true })],
      ["PATCH description null", () => patch(user, task.id, { description: null })],
    ];
    let previous = task.updated_at as string;
    for (const [label, update] of updates) {
      const response = await update();
      expect(response.status, label).toBe(200);
      expect(response.body.created_at, label).toBe(task.created_at);
      expectLater(response.body.updated_at, previous);
      previous = response.body.updated_at;
    }
    const final = await get(user, task.id);
    expect(final.body.updated_at).toBe(previous);
    expect(final.body.created_at).toBe(task.created_at);
  });

  it("a rejected or not-found update leaves updated_at alone", async () => {
    const owner = await signUp();
    const stranger = await signUp();
    const task = await createTask(owner, { title: "still" });
    expectValidation(await patch(owner, task.id, { title: "" }), "title");
    expectNotFound(await patch(stranger, task.id, { title: "mine now" }));
    expectNotFound(await put(stranger, task.id, { title: "mine now" }));
    expect((await get(owner, task.id)).body).toEqual(task);
  });
});

describe("DELETE /api/tasks/{id}", () => {
  it("answers 204 with an empty body; then the task is gone for every method and from the list", async () => {
    const user = await signUp();
    const task = await createTask(user, { title: "delete me" });
    const keep = await createTask(user, { title: "keep me" });

    const response = await del(user, task.id);
    expect(response.status).toBe(204);
    expect(response.text).toBe("");

    expectNotFound(await del(user, task.id));
    expectNotFound(await get(user, task.id));
    expectNotFound(await put(user, task.id, { title: "revive" }));
    expectNotFound(await patch(user, task.id, { completed: true }));

    const list = await api("GET", "/api/tasks", { token: user.token });
    expect(list.body.items).toEqual([keep]);
  });
});

describe("concurrency", () => {
  it("10 parallel PUTs leave exactly one writer's whole version", async () => {
    const user = await signUp();
    const task = await createTask(user, { title: "contended" });
    const writers = Array.from({ length: 10 }, (_, i) => ({
      title: `writer ${i}`,
      description: `description from writer ${i}`,
      completed: i % 2 === 0,
    }));

    const responses = await Promise.all(writers.map((body) => put(user, task.id, body)));
    responses.forEach((response, i) => expectTask(response, user, { id: task.id, ...writers[i]! }));

    const final = await get(user, task.id);
    expect(final.status).toBe(200);
    const winner = writers.find((writer) => writer.title === final.body.title);
    expect(winner).toBeDefined();
    expect({ title: final.body.title, description: final.body.description, completed: final.body.completed }).toEqual(winner);

    // The writes were serialized: each got its own updated_at, and the last one is what remains.
    const stamps = responses.map((response) => response.body.updated_at as string);
    expect(new Set(stamps).size).toBe(stamps.length);
    const last = responses.reduce((a, b) => (Date.parse(b.body.updated_at) > Date.parse(a.body.updated_at) ? b : a));
    expect(final.body).toEqual(last.body);
    expect(final.body.created_at).toBe(task.created_at);
  });

  it("of 5 parallel DELETEs exactly one answers 204 and the rest 404", async () => {
    const user = await signUp();
    const task = await createTask(user, { title: "deleted five times" });
    const responses = await Promise.all(Array.from({ length: 5 }, () => del(user, task.id)));
    expect(responses.filter((response) => response.status === 204)).toHaveLength(1);
    for (const response of responses.filter((response) => response.status !== 204)) expectNotFound(response);
    expectNotFound(await get(user, task.id));
  });

  it("PATCH and PUT racing a DELETE answer 200 or 404, never 500", async () => {
    const user = await signUp();
    for (let round = 0; round < 5; round++) {
      const task = await createTask(user, { title: `race ${round}` });
      const racers = [
        patch(user, task.id, { completed: true }),
        put(user, task.id, { title: `replaced ${round}` }),
        del(user, task.id),
        patch(user, task.id, { title: `patched ${round}` }),
        put(user, task.id, { title: `replaced again ${round}`, description: "x" }),
      ];
      const [patch1, put1, deletion, patch2, put2] = await Promise.all(racers);
      expect(deletion!.status).toBe(204);
      for (const response of [patch1!, put1!, patch2!, put2!]) {
        expect([200, 404], response.text).toContain(response.status);
        if (response.status === 404) expectNotFound(response);
        else expect(response.body.id).toBe(task.id);
      }
      expectNotFound(await get(user, task.id));
    }
  });
});
