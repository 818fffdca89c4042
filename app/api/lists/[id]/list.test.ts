import { beforeAll, describe, expect, it } from "vitest";
import { api, createTask, expectError, expectValidation, signUp, type TestUser } from "@/test/api";
import { createList } from "@/test/resources";

// GET, PUT, PATCH and DELETE /api/lists/{id} on the real handlers: renames (unique per user
// regardless of case, and a list's own name in another case is fine), and what deleting a list
// does to its tasks. Ids, ownership and credentials for every method are in
// app/api/resources.test.ts. Every test makes its own users: the pg and neon projects share one
// database.

const EMOJI = "\u{1F600}";
let serial = 0;
const item = (id: number) => `/api/lists/${id}`;
const get = (user: TestUser, id: number) => api("GET", item(id), { token: user.token });
const send = (method: "PUT" | "PATCH", user: TestUser, id: number, json: unknown) => api(method, item(id), { token: user.token, json });
const remove = (user: TestUser, id: number) => api("DELETE", item(id), { token: user.token });
const tasksOf = async (user: TestUser, query = "") => {
  const response = await api("GET", `/api/tasks?limit=100${query}`, { token: user.token });
  expect(response.status, response.text).toBe(200);
  return response.body.items as { id: number; list_id: number | null; title: string }[];
};

describe("GET /api/lists/{id}", () => {
  it("answers the user's own list as created", async () => {
    const user = await signUp();
    const created = await createList(user, "Mine");
    const response = await get(user, created.id);
    expect(response.status).toBe(200);
    expect(response.body).toEqual(created);
  });
});

describe.each(["PUT", "PATCH"] as const)("%s /api/lists/{id}: renames", (method) => {
  let user: TestUser;
  beforeAll(async () => {
    user = await signUp(`${method} renamer`);
  });

  it("renames the list, stored trimmed; updated_at moves strictly later, created_at and id stay", async () => {
    const created = await createList(user, `${method} before`);
    const response = await send(method, user, created.id, { name: `  ${method} after\t` });
    expect(response.status, response.text).toBe(200);
    expect(response.body).toMatchObject({ id: created.id, user_id: user.id, name: `${method} after`, created_at: created.created_at });
    expect(response.body.updated_at > created.updated_at).toBe(true);
    expect((await get(user, created.id)).body).toEqual(response.body);
  });

  it("moves updated_at on every rename, even within one millisecond", async () => {
    const created = await createList(user, `${method} fast 0`);
    let previous = created.updated_at;
    for (let i = 1; i <= 4; i++) {
      const response = await send(method, user, created.id, { name: `${method} fast ${i}` });
      expect(response.body.updated_at > previous, `${response.body.updated_at} after ${previous}`).toBe(true);
      previous = response.body.updated_at;
    }
  });

  it("accepts the list's own name, and its own name in another letter case (it is the same list)", async () => {
    const created = await createList(user, "Own Name");
    const same = await send(method, user, created.id, { name: "Own Name" });
    expect(same.status, same.text).toBe(200);
    const lower = await send(method, user, created.id, { name: "own name" });
    expect(lower.status, lower.text).toBe(200);
    expect(lower.body.name).toBe("own name");
    const upper = await send(method, user, created.id, { name: " OWN NAME " });
    expect(upper.status, upper.text).toBe(200);
    expect(upper.body.name).toBe("OWN NAME");
    expect((await get(user, created.id)).body.name).toBe("OWN NAME");
  });

  it("answers 409 LIST_NAME_TAKEN for another list's name in any case, and changes nothing", async () => {
    const taken = await createList(user, `${method} Taken`);
    const other = await createList(user, `${method} Other`);
    for (const name of [`${method} Taken`, `${method} TAKEN`.toLowerCase(), `  ${method} taken `]) {
      expectError(await send(method, user, other.id, { name }), 409, "LIST_NAME_TAKEN");
    }
    expect((await get(user, other.id)).body).toEqual(other);
    expect((await get(user, taken.id)).body).toEqual(taken);
  });

  it("allows a name another user has", async () => {
    const stranger = await signUp();
    await createList(stranger, `${method} theirs`);
    const mine = await createList(user, `${method} not yet theirs`);
    const response = await send(method, user, mine.id, { name: `${method} THEIRS` });
    expect(response.status, response.text).toBe(200);
  });

  it("answers 404, not 409, for another user's list even with a name that clashes there", async () => {
    const [owner, stranger] = [await signUp(), await signUp()];
    const target = await createList(owner, "target");
    await createList(owner, "clash");
    await createList(stranger, "mine too");
    for (const name of ["clash", "CLASH", "mine too", "fresh"]) {
      expectError(await send(method, stranger, target.id, { name }), 404, "LIST_NOT_FOUND");
    }
    expect((await get(owner, target.id)).body).toEqual(target);
  });

  it("frees the old name for another list", async () => {
    const moved = await createList(user, `${method} old name`);
    expect((await send(method, user, moved.id, { name: `${method} new name` })).status).toBe(200);
    expect((await api("POST", "/api/lists", { token: user.token, json: { name: `${method} OLD NAME` } })).status).toBe(201);
  });

  it("of parallel renames of two lists to one name, exactly one succeeds and the other answers 409", async () => {
    for (let round = 0; round < 3; round++) {
      const [first, second] = [await createList(user, `${method} p${round} a`), await createList(user, `${method} p${round} b`)];
      const target = `${method} p${round} target`;
      const responses = await Promise.all([
        send(method, user, first.id, { name: target }),
        send(method, user, second.id, { name: target.toUpperCase() }),
      ]);
      expect(responses.map((response) => response.status).sort()).toEqual([200, 409]);
      for (const response of responses) if (response.status !== 200) expectError(response, 409, "LIST_NAME_TAKEN");
    }
  });

  it.each([
    ["101 characters", "m".repeat(101)],
    ["101 emoji", EMOJI.repeat(101)],
    ["empty", ""],
    ["whitespace only", "   "],
    ["containing U+0000", "a\u0000b"],
    ["null", null],
    ["a number", 7],
  ])("rejects a name that is %s and changes nothing", async (_, name) => {
    const created = await createList(user, `${method} invalid ${++serial}`);
    expectValidation(await send(method, user, created.id, { name }), "name");
    expect((await get(user, created.id)).body).toEqual(created);
  });

  it("accepts a 100 code point name", async () => {
    const created = await createList(user, `${method} long`);
    const response = await send(method, user, created.id, { name: `${EMOJI.repeat(99)}x` });
    expect(response.status, response.text).toBe(200);
    expect([...response.body.name]).toHaveLength(100);
  });

  it.each([
    ["id", 1],
    ["user_id", "someone"],
    ["created_at", "2020-01-01T00:00:00.000Z"],
    ["updated_at", "2020-01-01T00:00:00.000Z"],
    ["Name", "x"],
  ])("rejects the field %s", async (field, value) => {
    const created = await createList(user, `${method} field ${field}`);
    expectValidation(await send(method, user, created.id, { name: "fine", [field]: value }), field);
    expect((await get(user, created.id)).body).toEqual(created);
  });
});

describe("PUT and PATCH bodies", () => {
  it("PUT requires the name", async () => {
    const user = await signUp();
    const created = await createList(user, "needs a name");
    expectValidation(await send("PUT", user, created.id, {}), "name");
    expect((await get(user, created.id)).body).toEqual(created);
  });

  it("PATCH refuses an empty body", async () => {
    const user = await signUp();
    const created = await createList(user, "empty patch");
    const response = await send("PATCH", user, created.id, {});
    expectError(response, 400, "VALIDATION_ERROR");
    expect((await get(user, created.id)).body).toEqual(created);
  });
});

describe("DELETE /api/lists/{id}", () => {
  it("answers 204 with an empty body; the list is gone and a second DELETE answers 404", async () => {
    const user = await signUp();
    const created = await createList(user, "doomed");
    const response = await remove(user, created.id);
    expect(response.status).toBe(204);
    expect(response.text).toBe("");
    expectError(await get(user, created.id), 404, "LIST_NOT_FOUND");
    expectError(await remove(user, created.id), 404, "LIST_NOT_FOUND");
    expect((await api("GET", "/api/lists", { token: user.token })).body.items).toEqual([]);
  });

  it("keeps the list's tasks, with list_id null; other lists' tasks and other users' tasks are untouched", async () => {
    const [user, stranger] = [await signUp(), await signUp()];
    const [doomed, kept] = [await createList(user, "doomed"), await createList(user, "kept")];
    const strangerList = await createList(stranger, "doomed");
    const inDoomed = [
      await createTask(user, { title: "in doomed 1", list_id: doomed.id, priority: "high", due_at: "2030-01-01T00:00:00Z" }),
      await createTask(user, { title: "in doomed 2", list_id: doomed.id, completed: true }),
    ];
    const inKept = await createTask(user, { title: "in kept", list_id: kept.id });
    const inNone = await createTask(user, { title: "in none" });
    const strangers = await createTask(stranger, { title: "stranger's", list_id: strangerList.id });

    expect((await remove(user, doomed.id)).status).toBe(204);

    for (const task of inDoomed) {
      const read = await api("GET", `/api/tasks/${task.id}`, { token: user.token });
      expect(read.status).toBe(200);
      // Only list_id changes: the task is otherwise as it was (updated_at included).
      expect(read.body).toEqual({ ...task, list_id: null });
    }
    expect((await api("GET", `/api/tasks/${inKept.id}`, { token: user.token })).body).toEqual(inKept);
    expect((await api("GET", `/api/tasks/${inNone.id}`, { token: user.token })).body).toEqual(inNone);
    expect((await api("GET", `/api/tasks/${strangers.id}`, { token: stranger.token })).body).toEqual(strangers);
    expect((await get(stranger, strangerList.id)).status).toBe(200);

    const none = (await tasksOf(user, "&list_id=none")).map((task) => task.id).sort();
    expect(none).toEqual([...inDoomed.map((task) => task.id), inNone.id].sort());
    expect((await tasksOf(user, `&list_id=${kept.id}`)).map((task) => task.id)).toEqual([inKept.id]);
    expect(await tasksOf(user, `&list_id=${doomed.id}`)).toEqual([]);
  });

  it("a deleted list can no longer be named by a task", async () => {
    const user = await signUp();
    const doomed = await createList(user, "gone soon");
    const task = await createTask(user, { title: "t" });
    expect((await remove(user, doomed.id)).status).toBe(204);
    expectValidation(await api("POST", "/api/tasks", { token: user.token, json: { title: "x", list_id: doomed.id } }), "list_id");
    expectValidation(await api("PATCH", `/api/tasks/${task.id}`, { token: user.token, json: { list_id: doomed.id } }), "list_id");
  });

  it("another user's DELETE answers 404 and keeps the list and its tasks", async () => {
    const [owner, stranger] = [await signUp(), await signUp()];
    const target = await createList(owner, "precious");
    const task = await createTask(owner, { title: "in precious", list_id: target.id });
    expectError(await remove(stranger, target.id), 404, "LIST_NOT_FOUND");
    expect((await get(owner, target.id)).body).toEqual(target);
    expect((await api("GET", `/api/tasks/${task.id}`, { token: owner.token })).body).toEqual(task);
  });
});
