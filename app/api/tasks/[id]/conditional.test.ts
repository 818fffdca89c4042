import { beforeAll, describe, expect, it } from "vitest";
import { api, expectError, expectValidation, signUp, type ApiResponse, type TestUser } from "@/test/api";

// Conditional requests on /api/tasks/{id} (lib/http/conditional.ts): the ETag is the task's
// version, new on every successful write; If-None-Match spares a GET its body, and If-Match is
// part of the write's own statement, so that of writers holding one ETag exactly one wins.
// Every test makes its own tasks: the pg and neon projects share one database.

const PARTNER = "https://partner.example";
process.env.CORS_ORIGINS = PARTNER;

type WriteMethod = "PUT" | "PATCH" | "DELETE";
const WRITES: WriteMethod[] = ["PUT", "PATCH", "DELETE"];
const BODIES: Record<WriteMethod, Record<string, unknown> | undefined> = {
  PUT: { title: "replaced", completed: true },
  PATCH: { title: "patched" },
  DELETE: undefined,
};
const SUCCESS: Record<WriteMethod, number> = { PUT: 200, PATCH: 200, DELETE: 204 };
const WRITERS = 10;

const path = (id: number) => `/api/tasks/${id}`;
const get = (user: TestUser, id: number, headers: Record<string, string> = {}) => api("GET", path(id), { token: user.token, headers });
const write = (method: WriteMethod, user: TestUser, id: number, ifMatch?: string, json = BODIES[method]) =>
  api(method, path(id), { token: user.token, json, headers: ifMatch === undefined ? {} : { "if-match": ifMatch } });

interface Task {
  id: number;
  title: string;
}

/** The answer's ETag, asserted strong: a quoted version number. */
function etagOf(response: ApiResponse): string {
  const etag = response.headers.get("etag");
  expect(etag, `${response.status} ${response.text}`).toMatch(/^"[0-9]+"$/);
  return etag!;
}

/** A new task and its ETag. */
async function newTask(user: TestUser): Promise<{ task: Task; etag: string }> {
  const response = await api("POST", "/api/tasks", { token: user.token, json: { title: "original", description: "kept" } });
  expect(response.status, response.text).toBe(201);
  return { task: response.body, etag: etagOf(response) };
}

/** A task written once since its creation, with its creation's ETag (stale) and the current one. */
async function changedTask(user: TestUser) {
  const { task, etag: stale } = await newTask(user);
  const changed = await write("PATCH", user, task.id, undefined, { description: "changed" });
  expect(changed.status, changed.text).toBe(200);
  return { task: changed.body as Task, stale, current: etagOf(changed) };
}

async function expectUnchanged(user: TestUser, task: Task, etag: string) {
  const current = await get(user, task.id);
  expect(current.status, current.text).toBe(200);
  expect(current.body).toEqual(task);
  expect(current.headers.get("etag")).toBe(etag);
}

describe("ETag", () => {
  it("is strong on POST, GET, PUT and PATCH, and new after every write, even one that changes no field", async () => {
    const user = await signUp();
    const { task, etag: created } = await newTask(user);
    expect(etagOf(await get(user, task.id))).toBe(created);
    expect(etagOf(await get(user, task.id))).toBe(created);

    const replaced = etagOf(await write("PUT", user, task.id));
    const patched = etagOf(await write("PATCH", user, task.id, undefined, { completed: false }));
    const repatched = etagOf(await write("PATCH", user, task.id, undefined, { completed: false }));
    expect(new Set([created, replaced, patched, repatched]).size).toBe(4);
    expect(etagOf(await get(user, task.id))).toBe(repatched);
  });

  it("does not change when another of the user's tasks is written or deleted", async () => {
    const user = await signUp();
    const { task, etag } = await newTask(user);
    const { task: other } = await newTask(user);
    expect((await write("PATCH", user, other.id)).status).toBe(200);
    expect((await write("DELETE", user, other.id)).status).toBe(204);
    expect(etagOf(await get(user, task.id))).toBe(etag);
  });
});

describe("If-None-Match on GET", () => {
  let user: TestUser;
  let task: Task;
  let stale: string;
  let current: string;
  beforeAll(async () => {
    user = await signUp();
    ({ task, stale, current } = await changedTask(user));
  });

  it.each([
    ["the current ETag", (etag: string) => etag],
    ["*", () => "*"],
    ["a list naming the current ETag", (etag: string) => `"0", ${etag}, "999999"`],
    ["the current ETag's weak form (weak comparison)", (etag: string) => `W/${etag}`],
  ])("answers 304 with no body and the ETag for %s", async (_, header) => {
    const response = await get(user, task.id, { "if-none-match": header(current) });
    expect(response.status).toBe(304);
    expect(response.text).toBe("");
    expect(response.headers.get("etag")).toBe(current);
  });

  it.each([
    ["a stale ETag", () => stale],
    ["a list without the current ETag", () => `"0", ${stale}`],
  ])("answers 200 with the task and its ETag for %s", async (_, header) => {
    const response = await get(user, task.id, { "if-none-match": header() });
    expect(response.status).toBe(200);
    expect(response.body).toEqual(task);
    expect(response.headers.get("etag")).toBe(current);
  });

  it("ignores a malformed If-None-Match, as caches do: 200 with the task", async () => {
    const response = await get(user, task.id, { "if-none-match": `${current.slice(1, -1)}, *` });
    expect(response.status).toBe(200);
    expect(response.body).toEqual(task);
  });

  it("answers 404 for a missing task, even with If-None-Match: *", async () => {
    const { task: gone } = await newTask(user);
    expect((await write("DELETE", user, gone.id)).status).toBe(204);
    expectError(await get(user, gone.id, { "if-none-match": "*" }), 404, "TASK_NOT_FOUND");
  });
});

describe("If-Match on PUT and PATCH", () => {
  let user: TestUser;
  beforeAll(async () => {
    user = await signUp();
  });

  it.each(["PUT", "PATCH"] as const)("%s writes with the current ETag and answers the new one", async (method) => {
    const { task, current } = await changedTask(user);
    const response = await write(method, user, task.id, current);
    expect(response.status, response.text).toBe(200);
    expect(response.body.title).toBe(BODIES[method]!.title);
    const etag = etagOf(response);
    expect(etag).not.toBe(current);
    await expectUnchanged(user, response.body, etag);
  });

  it.each(["PUT", "PATCH"] as const)("%s refuses a stale ETag with 412 and leaves the task unchanged", async (method) => {
    const { task, stale, current } = await changedTask(user);
    expectError(await write(method, user, task.id, stale), 412, "PRECONDITION_FAILED");
    await expectUnchanged(user, task, current);
  });
});

describe("If-Match on DELETE", () => {
  it("refuses a stale ETag with 412 and keeps the task; the current ETag deletes it", async () => {
    const user = await signUp();
    const { task, stale, current } = await changedTask(user);
    expectError(await write("DELETE", user, task.id, stale), 412, "PRECONDITION_FAILED");
    await expectUnchanged(user, task, current);
    expect((await write("DELETE", user, task.id, current)).status).toBe(204);
    expectError(await get(user, task.id), 404, "TASK_NOT_FOUND");
  });
});

describe.each(WRITES)("If-Match on %s: what matches", (method) => {
  let owner: TestUser;
  let stranger: TestUser;
  beforeAll(async () => {
    owner = await signUp("Owner");
    stranger = await signUp("Stranger");
  });

  it("answers 404 for a missing task, with its last ETag or *", async () => {
    const { task, etag } = await newTask(owner);
    expect((await write("DELETE", owner, task.id)).status).toBe(204);
    expectError(await write(method, owner, task.id, etag), 404, "TASK_NOT_FOUND");
    expectError(await write(method, owner, task.id, "*"), 404, "TASK_NOT_FOUND");
  });

  it("answers 404 for another user's task, even with the owner's ETag, and leaves it unchanged", async () => {
    const { task, etag } = await newTask(owner);
    expectError(await write(method, stranger, task.id, etag), 404, "TASK_NOT_FOUND");
    await expectUnchanged(owner, task, etag);
  });

  it("writes with If-Match: * whatever the version, like a write without If-Match", async () => {
    const { task } = await changedTask(owner);
    const response = await write(method, owner, task.id, "*");
    expect(response.status, response.text).toBe(SUCCESS[method]);
  });

  it("writes with a list that names the current ETag", async () => {
    const { task, stale, current } = await changedTask(owner);
    const response = await write(method, owner, task.id, `${stale}, ${current}`);
    expect(response.status, response.text).toBe(SUCCESS[method]);
  });

  it.each([
    ["the current ETag's weak form (strong comparison)", (etag: string) => `W/${etag}`],
    ["a well-formed tag that is no version", () => '"abc"'],
  ])("refuses %s with 412 and leaves the task unchanged", async (_, header) => {
    const { task, etag } = await newTask(owner);
    expectError(await write(method, owner, task.id, header(etag)), 412, "PRECONDITION_FAILED");
    await expectUnchanged(owner, task, etag);
  });

  it("refuses a malformed If-Match with 400 naming it, and leaves the task unchanged", async () => {
    const { task, etag } = await newTask(owner);
    for (const header of ["abc", etag.slice(0, -1), `${etag}, abc`, `W/${etag.slice(1, -1)}`, `*, ${etag}`]) {
      expectValidation(await write(method, owner, task.id, header), "If-Match");
    }
    await expectUnchanged(owner, task, etag);
  });
});

describe(`${WRITERS} parallel writers holding one ETag`, () => {
  let user: TestUser;
  beforeAll(async () => {
    user = await signUp();
  });

  const writers = (method: WriteMethod, task: Task, etag: string) =>
    Promise.all(Array.from({ length: WRITERS }, (_, n) => write(method, user, task.id, etag, method === "DELETE" ? undefined : { title: `writer ${n}` })));

  it.each(["PUT", "PATCH"] as const)("%s: exactly one succeeds, the others get 412, and the task is the winner's", async (method) => {
    const { task, etag } = await newTask(user);
    const responses = await writers(method, task, etag);
    const winners = responses.filter((response) => response.status === 200);
    expect(winners).toHaveLength(1);
    for (const response of responses.filter((response) => response.status !== 200)) expectError(response, 412, "PRECONDITION_FAILED");
    await expectUnchanged(user, winners[0]!.body, etagOf(winners[0]!));
  });

  it("DELETE: exactly one deletes, and the others find the task gone (404)", async () => {
    const { task, etag } = await newTask(user);
    const responses = await writers("DELETE", task, etag);
    expect(responses.filter((response) => response.status === 204)).toHaveLength(1);
    for (const response of responses.filter((response) => response.status !== 204)) expectError(response, 404, "TASK_NOT_FOUND");
    expectError(await get(user, task.id), 404, "TASK_NOT_FOUND");
  });

  it("PATCH against DELETE: one wins; losers get 412 after a PATCH won, 404 after the DELETE won", async () => {
    const { task, etag } = await newTask(user);
    const responses = await Promise.all(
      Array.from({ length: WRITERS }, (_, n) => (n === WRITERS / 2 ? write("DELETE", user, task.id, etag) : write("PATCH", user, task.id, etag))),
    );
    const winners = responses.filter((response) => response.status < 300);
    expect(winners).toHaveLength(1);
    const deleted = winners[0]!.status === 204;
    for (const response of responses.filter((response) => response.status >= 300)) {
      if (deleted) expectError(response, 404, "TASK_NOT_FOUND");
      else expectError(response, 412, "PRECONDITION_FAILED");
    }
    if (deleted) expectError(await get(user, task.id), 404, "TASK_NOT_FOUND");
    else await expectUnchanged(user, winners[0]!.body, etagOf(winners[0]!));
  });
});

describe("CORS lets browser clients send the conditions and read the answers", () => {
  const listOf = (header: string | null) => (header ?? "").split(",").map((name) => name.trim().toLowerCase());

  it.each(["/api/tasks", "/api/tasks/1"])("a preflight to %s from a listed origin allows Idempotency-Key, If-Match and If-None-Match", async (target) => {
    const response = await api("OPTIONS", target, {
      origin: PARTNER,
      headers: { "access-control-request-method": "POST", "access-control-request-headers": "idempotency-key, if-match, if-none-match" },
    });
    expect(response.status).toBe(204);
    expect(listOf(response.headers.get("access-control-allow-headers"))).toEqual(
      expect.arrayContaining(["idempotency-key", "if-match", "if-none-match"]),
    );
  });

  it("exposes ETag and Idempotent-Replayed on answers to a listed origin", async () => {
    const user = await signUp();
    const { task } = await newTask(user);
    const response = await api("GET", path(task.id), { token: user.token, origin: PARTNER });
    expect(response.headers.get("access-control-allow-origin")).toBe(PARTNER);
    expect(listOf(response.headers.get("access-control-expose-headers"))).toEqual(expect.arrayContaining(["etag", "idempotent-replayed"]));
  });
});
