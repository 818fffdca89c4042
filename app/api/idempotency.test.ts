import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { idempotencyKeys } from "@/lib/db/schema";
import { REPLAY_HOURS } from "@/lib/http/idempotency";
import { api, expectError, expectValidation, signUp, type ApiResponse, type RequestOptions, type TestUser } from "@/test/api";
import { createApiKey } from "@/test/api-keys";
import { allPages, createList, itemPath, listsResource, tasksResource, type ResourceUnderTest } from "@/test/resources";

// Idempotency-Key on the creates (lib/http/idempotency.ts), tested once for each resource that
// honours it: a retry replays the first answer, however the retries race; a key reused for
// another request is refused; an error stores nothing; an expired record gives the key back. Every test makes its own users, so that
// counting a user's items counts what the test created.

interface IdempotentCreate {
  resource: ResourceUnderTest;
  /** Whether its answers carry an ETag (lists are not versioned). */
  versioned: boolean;
  /** A valid create body; a different n gives a different request. */
  body(n: number): Record<string, unknown>;
  /** Two spellings of one create, which validate to the same request. */
  spellings: [Record<string, unknown>, Record<string, unknown>];
  /** A create the database refuses, inside the create's transaction, once the user is set up for it. */
  refused(user: TestUser): Promise<{ json: Record<string, unknown>; status: number; code: string }>;
}

const CREATES: IdempotentCreate[] = [
  {
    resource: tasksResource,
    versioned: true,
    body: (n) => ({ title: `task ${n}` }),
    // Another key order, and the due date with another offset: the same instant.
    spellings: [
      { title: "Call the plumber", priority: "high", due_at: "2026-12-24T18:00:00+01:00" },
      { due_at: "2026-12-24T17:00:00.000Z", priority: "high", title: "Call the plumber" },
    ],
    refused: async () => ({ json: { title: "in a missing list", list_id: 2147483647 }, status: 400, code: "VALIDATION_ERROR" }),
  },
  {
    resource: listsResource,
    versioned: false,
    body: (n) => ({ name: `list ${n}` }),
    // A list has one field; its name is stored trimmed.
    spellings: [{ name: "Groceries" }, { name: "  Groceries  " }],
    refused: async (user) => {
      await createList(user, "Taken");
      return { json: { name: "TAKEN" }, status: 409, code: "LIST_NAME_TAKEN" };
    },
  },
];

const ETAG = /^"[0-9]+"$/;

/** The replayed answer: the original's status, bytes and headers, marked as a replay. */
function expectReplay(replay: ApiResponse, original: ApiResponse) {
  expect(replay.status, replay.text).toBe(original.status);
  expect(replay.text).toBe(original.text);
  for (const name of ["location", "etag", "content-type"]) expect(replay.headers.get(name), name).toBe(original.headers.get(name));
  expect(replay.headers.get("idempotent-replayed")).toBe("true");
}

/** A first answer: created now, not replayed. */
function expectCreated(response: ApiResponse) {
  expect(response.status, response.text).toBe(201);
  expect(response.headers.get("idempotent-replayed")).toBeNull();
}

describe.each(CREATES)("Idempotency-Key on POST $resource.path", (create) => {
  const { resource } = create;
  const post = (key: string, json: unknown, credentials: RequestOptions) =>
    api("POST", resource.path, { ...credentials, json, headers: { ...credentials.headers, "idempotency-key": key } });
  const postAs = (user: TestUser, key: string, json: unknown) => post(key, json, { token: user.token });
  /** The ids of every item the user has, ascending. */
  const idsOf = async (user: TestUser) =>
    (await allPages(resource, user, "")).flatMap((page) => page.items.map((item) => item.id)).sort((a, b) => a - b);

  it("replays the first answer to retries one after another, and creates one item", async () => {
    const user = await signUp();
    const first = await postAs(user, "retry", create.body(1));
    expectCreated(first);
    expect(first.headers.get("location")).toBe(itemPath(resource, first.body.id));
    if (create.versioned) expect(first.headers.get("etag")).toMatch(ETAG);
    else expect(first.headers.get("etag")).toBeNull();

    expectReplay(await postAs(user, "retry", create.body(1)), first);
    // What is replayed is the stored answer, not the item as it is now.
    const changed = await api("PATCH", itemPath(resource, first.body.id), { token: user.token, json: resource.bodies.PATCH });
    expect(changed.status, changed.text).toBe(200);
    expectReplay(await postAs(user, "retry", create.body(1)), first);
    expect(await idsOf(user)).toEqual([first.body.id]);

    const another = await postAs(user, "another key", create.body(2));
    expectCreated(another);
    expect(await idsOf(user)).toEqual([first.body.id, another.body.id]);
  });

  it("creates one item for 10 parallel requests with one key: the others wait for it and replay it", async () => {
    const user = await signUp();
    const responses = await Promise.all(Array.from({ length: 10 }, () => postAs(user, "parallel", create.body(1))));

    for (const response of responses) expect(response.status, response.text).toBe(201);
    const originals = responses.filter((response) => response.headers.get("idempotent-replayed") === null);
    expect(originals).toHaveLength(1);
    const original = originals[0]!;
    for (const response of responses) if (response !== original) expectReplay(response, original);
    expect(await idsOf(user)).toEqual([original.body.id]);
    expectReplay(await postAs(user, "parallel", create.body(1)), original);
  });

  it("refuses the key with another body (422), creating nothing, and still replays the first", async () => {
    const user = await signUp();
    const first = await postAs(user, "reused", create.body(1));
    expectCreated(first);
    expectError(await postAs(user, "reused", create.body(2)), 422, "IDEMPOTENCY_KEY_REUSED");
    expect(await idsOf(user)).toEqual([first.body.id]);
    expectReplay(await postAs(user, "reused", create.body(1)), first);
  });

  it("replays a retry that spells the same request differently", async () => {
    const user = await signUp();
    const [spelling, respelling] = create.spellings;
    const first = await postAs(user, "spelled", spelling);
    expectCreated(first);
    expectReplay(await postAs(user, "spelled", respelling), first);
    expect(await idsOf(user)).toEqual([first.body.id]);
  });

  it("refuses a malformed key with 400 naming Idempotency-Key, creating nothing", async () => {
    const user = await signUp();
    for (const key of ["", "k".repeat(256), "clé", "tab\there", "bell\x07", "delete\x7f"]) {
      expectValidation(await postAs(user, key, create.body(1)), "Idempotency-Key");
    }
    expect(await idsOf(user)).toEqual([]);
  });

  it("accepts a key of 255 printable characters, spaces and symbols included", async () => {
    const user = await signUp();
    const key = `~ "quoted", {braced}: ${"k".repeat(255)}`.slice(0, 255);
    const first = await postAs(user, key, create.body(1));
    expectCreated(first);
    expectReplay(await postAs(user, key, create.body(1)), first);
  });

  it("stores no error: after 401, 400 and the database's refusal the key still creates", async () => {
    const user = await signUp();
    const key = "after errors";
    expectError(await post(key, create.body(1), {}), 401, "UNAUTHORIZED");
    expectError(await postAs(user, key, resource.invalidBody), 400, "VALIDATION_ERROR");
    const refused = await create.refused(user);
    expectError(await postAs(user, key, refused.json), refused.status, refused.code);
    const before = await idsOf(user);

    const created = await postAs(user, key, create.body(1));
    expectCreated(created);
    expect(await idsOf(user)).toEqual([...before, created.body.id]);
    expectReplay(await postAs(user, key, create.body(1)), created);
  });

  it(`creates again once the key's record has expired (${REPLAY_HOURS} hours), and replays the new answer`, async () => {
    const user = await signUp();
    const first = await postAs(user, "expiring", create.body(1));
    expectCreated(first);
    await (await db()).execute(sql`update ${idempotencyKeys} set expires_at = now() - interval '1 second' where user_id = ${user.id}`);

    const again = await postAs(user, "expiring", create.body(2));
    expectCreated(again);
    expect(await idsOf(user)).toEqual([first.body.id, again.body.id]);
    expectReplay(await postAs(user, "expiring", create.body(2)), again);
  });

  it("prunes two expired records with each keyed create, oldest first", async () => {
    const user = await signUp();
    const expired = ["2000-01-01", "2000-01-02", "2000-01-03"].map((day, i) => ({
      userId: user.id,
      key: `expired ${i}`,
      fingerprint: "-",
      result: "[]",
      expiresAt: new Date(`${day}T00:00:00Z`),
    }));
    await (await db()).insert(idempotencyKeys).values(expired);
    expectCreated(await postAs(user, "pruning", create.body(1)));
    const left = await (await db()).select({ key: idempotencyKeys.key }).from(idempotencyKeys).where(eq(idempotencyKeys.userId, user.id));
    expect(left.map((record) => record.key).sort()).toEqual(["expired 2", "pruning"]);
  });

  it("replays an answer recorded by the previous version (its status, body and headers, before drizzle/0006)", async () => {
    const user = await signUp();
    const first = await postAs(user, "recorded before", create.body(1));
    expectCreated(first);
    // The headers that version kept.
    const names = ["content-type", "location", "etag"].filter((name) => first.headers.has(name));
    const headers = Object.fromEntries(names.map((name) => [name, first.headers.get(name)]));
    await (await db()).execute(
      sql`update ${idempotencyKeys} set result = null, status = 201, body = ${first.text}, headers = ${JSON.stringify(headers)}::jsonb where user_id = ${user.id}`,
    );
    expectReplay(await postAs(user, "recorded before", create.body(1)), first);
    expectError(await postAs(user, "recorded before", create.body(2)), 422, "IDEMPOTENCY_KEY_REUSED");
    expect(await idsOf(user)).toEqual([first.body.id]);
  });

  it("keeps keys per user: another user's same key, even with another body, creates their own item", async () => {
    const [alice, bob] = [await signUp("Alice"), await signUp("Bob")];
    const alices = await postAs(alice, "shared", create.body(1));
    expectCreated(alices);
    const bobs = await postAs(bob, "shared", create.body(2));
    expectCreated(bobs);
    expect(bobs.body.user_id).toBe(bob.id);
    expect(await idsOf(alice)).toEqual([alices.body.id]);
    expect(await idsOf(bob)).toEqual([bobs.body.id]);
  });

  it("shares a user's keys between their session token, session cookie and API key", async () => {
    const user = await signUp();
    const { key: apiKey } = await createApiKey(user);
    const first = await post("one principal", create.body(1), { token: user.token });
    expectCreated(first);
    expectReplay(await post("one principal", create.body(1), { token: apiKey }), first);
    expectReplay(await post("one principal", create.body(1), { cookie: user.cookie }), first);
    expect(await idsOf(user)).toEqual([first.body.id]);
  });
});

describe("Idempotency-Key across resources", () => {
  it("refuses a key used for a task when it is sent to create a list (another path: 422)", async () => {
    const user = await signUp();
    const headers = { "idempotency-key": "one request" };
    expectCreated(await api("POST", tasksResource.path, { token: user.token, json: { title: "first" }, headers }));
    expectError(await api("POST", listsResource.path, { token: user.token, json: { name: "second" }, headers }), 422, "IDEMPOTENCY_KEY_REUSED");
    expect((await allPages(listsResource, user, ""))[0]!.items).toEqual([]);
  });
});
