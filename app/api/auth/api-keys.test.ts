import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { apikeys, users } from "@/lib/db/schema";
import { api, createTask, expectError, expectValidation, signUp, type ApiResponse, type TestUser } from "@/test/api";
import { apiKeyHash, createApiKey, keyOptions, type KeyTransport } from "@/test/api-keys";

// API keys (Better Auth's api-key plugin behind this API's strict bodies and its own
// authentication of /api/tasks*): created with a session, shown once, stored hashed, scoped,
// revocable at once, and counted against the same per-user write limit as sessions.
//
// Low write limit for this file, as in app/api/tasks/limits.test.ts: a one-day window keeps a
// window boundary out of the run, and every test uses its own users (the pg and neon projects
// share one database).
const WRITES_MAX = 12;
process.env.RATE_LIMIT_WRITES_MAX = String(WRITES_MAX);
process.env.RATE_LIMIT_WINDOW_S = "86400";

const DAY_S = 86_400;
const TRANSPORTS: KeyTransport[] = ["bearer", "x-api-key"];

function expectUnauthorized(response: ApiResponse) {
  expectError(response, 401, "UNAUTHORIZED");
}

async function storedKey(id: string) {
  const [row] = await (await db()).select().from(apikeys).where(eq(apikeys.id, id));
  return row;
}

const listKeys = (user: TestUser) => api("GET", "/api/auth/api-key/list", { token: user.token });
const updateKey = (user: TestUser, json: Record<string, unknown>) => api("POST", "/api/auth/api-key/update", { token: user.token, json });
const deleteKey = (user: TestUser, keyId: string) => api("POST", "/api/auth/api-key/delete", { token: user.token, json: { keyId } });
const listTasksWith = (key: string, via: KeyTransport = "bearer") => api("GET", "/api/tasks", keyOptions(key, via));

describe("creating a key", () => {
  it("returns the key once, with the tk_ prefix and the read-write scope by default", async () => {
    const user = await signUp();
    const response = await api("POST", "/api/auth/api-key/create", { token: user.token, json: { name: "nightly export" } });
    expect(response.status, response.text).toBe(200);
    const created = response.body;
    expect(created.key).toMatch(/^tk_[A-Za-z0-9_-]{20,}$/);
    expect(created).toMatchObject({
      id: expect.any(String),
      name: "nightly export",
      prefix: "tk_",
      referenceId: user.id,
      enabled: true,
      permissions: { tasks: ["read", "write"] },
      expiresAt: null,
      lastRequest: null,
    });
    expect(created.key.startsWith(created.start)).toBe(true);
    expect(created.start.length).toBeLessThan(created.key.length);
  });

  it("with scope read stores the read permission only", async () => {
    const user = await signUp();
    const created = await createApiKey(user, { name: "reader", scope: "read" });
    expect(created.permissions).toEqual({ tasks: ["read"] });
    const readWrite = await createApiKey(user, { name: "writer", scope: "read-write" });
    expect(readWrite.permissions).toEqual({ tasks: ["read", "write"] });
  });

  it("with expiresIn sets expiresAt that many seconds ahead; null never expires", async () => {
    const user = await signUp();
    const before = Date.now();
    const created = await createApiKey(user, { expiresIn: 30 * DAY_S });
    const expiresAt = new Date(created.expiresAt!).getTime();
    expect(expiresAt).toBeGreaterThanOrEqual(before + 30 * DAY_S * 1000 - 5_000);
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + 30 * DAY_S * 1000 + 5_000);
    expect((await createApiKey(user, { expiresIn: DAY_S })).expiresAt).not.toBeNull();
    expect((await createApiKey(user, { expiresIn: 365 * DAY_S })).expiresAt).not.toBeNull();
    expect((await createApiKey(user, { expiresIn: null })).expiresAt).toBeNull();
  });

  it("stores only the SHA-256 of the key (base64url), never the key", async () => {
    const user = await signUp();
    const created = await createApiKey(user);
    const row = await storedKey(created.id);
    expect(row).toBeDefined();
    expect(row!.key).not.toBe(created.key);
    expect(row!.key).not.toContain(created.key.slice(3));
    expect(row!.key).toBe(apiKeyHash(created.key));
    expect(row!.referenceId).toBe(user.id);
    // No row anywhere holds the plain key.
    expect(await (await db()).select().from(apikeys).where(eq(apikeys.key, created.key))).toHaveLength(0);
  });

  // A cookie from a foreign origin is refused by Better Auth's origin check, which Better Auth
  // itself switches off when NODE_ENV is "test" (as here): test/server/postgres/clients.test.ts
  // proves the 403 against `next start`.
  it("works with the session cookie from the app's own origin", async () => {
    const user = await signUp();
    const own = await api("POST", "/api/auth/api-key/create", { cookie: user.cookie, json: { name: "from the page" } });
    expect(own.status, own.text).toBe(200);
    expect(own.body.key).toMatch(/^tk_/);
    expect(own.body.referenceId).toBe(user.id);
    expect((await listKeys(user)).body.total).toBe(1);
  });

  it("needs a signed-in session", async () => {
    expectUnauthorized(await api("POST", "/api/auth/api-key/create", { json: { name: "anonymous" } }));
    expectUnauthorized(await api("POST", "/api/auth/api-key/create", { token: "x".repeat(32), json: { name: "unknown" } }));
  });
});

describe("listing keys", () => {
  it("never includes the key itself", async () => {
    const user = await signUp();
    const created = await createApiKey(user, { name: "listed" });
    const response = await listKeys(user);
    expect(response.status, response.text).toBe(200);
    expect(response.body.total).toBe(1);
    const [listed] = response.body.apiKeys;
    expect(listed).toMatchObject({ id: created.id, name: "listed", start: created.start, prefix: "tk_", enabled: true });
    expect(listed).not.toHaveProperty("key");
    expect(response.text).not.toContain(created.key);
    expect(response.text).not.toContain(apiKeyHash(created.key));
  });

  it("lists only the caller's own keys", async () => {
    const alice = await signUp();
    const bob = await signUp();
    const aliceKeys = [await createApiKey(alice, { name: "a1" }), await createApiKey(alice, { name: "a2", scope: "read" })];
    const bobKey = await createApiKey(bob, { name: "b1" });

    const forAlice = (await listKeys(alice)).body;
    expect(forAlice.total).toBe(2);
    expect(forAlice.apiKeys.map((key: { id: string }) => key.id).sort()).toEqual(aliceKeys.map((key) => key.id).sort());
    expect(forAlice.apiKeys.every((key: { referenceId: string }) => key.referenceId === alice.id)).toBe(true);

    const forBob = (await listKeys(bob)).body;
    expect(forBob.total).toBe(1);
    expect(forBob.apiKeys[0].id).toBe(bobKey.id);

    const fresh = await signUp();
    expect((await listKeys(fresh)).body).toEqual({ apiKeys: [], total: 0 });
  });
});

describe.each(TRANSPORTS)("a read-write key sent as %s", (via) => {
  it("lists, creates, reads, replaces, patches and deletes the owner's tasks", async () => {
    const user = await signUp();
    const { key } = await createApiKey(user);
    const auth = keyOptions(key, via);

    const created = await api("POST", "/api/tasks", { ...auth, json: { title: "via key", description: "d" } });
    expect(created.status, created.text).toBe(201);
    expect(created.body.user_id).toBe(user.id);
    const id = created.body.id;

    const listed = await api("GET", "/api/tasks", auth);
    expect(listed.status, listed.text).toBe(200);
    expect(listed.body.items.map((task: { id: number }) => task.id)).toEqual([id]);
    // The same task as the owner's session sees it.
    expect((await api("GET", "/api/tasks", { token: user.token })).body.items).toEqual(listed.body.items);

    const fetched = await api("GET", `/api/tasks/${id}`, auth);
    expect(fetched.status, fetched.text).toBe(200);
    expect(fetched.body.title).toBe("via key");

    const replaced = await api("PUT", `/api/tasks/${id}`, { ...auth, json: { title: "replaced", completed: false } });
    expect(replaced.status, replaced.text).toBe(200);
    expect(replaced.body).toMatchObject({ id, title: "replaced", completed: false });

    const patched = await api("PATCH", `/api/tasks/${id}`, { ...auth, json: { completed: true } });
    expect(patched.status, patched.text).toBe(200);
    expect(patched.body).toMatchObject({ id, title: "replaced", completed: true });

    const deleted = await api("DELETE", `/api/tasks/${id}`, auth);
    expect(deleted.status, deleted.text).toBe(204);
    expectError(await api("GET", `/api/tasks/${id}`, auth), 404, "TASK_NOT_FOUND");
  });

  it("sees only its owner's tasks", async () => {
    const owner = await signUp();
    const other = await signUp();
    const othersTask = await createTask(other, { title: "not yours" });
    const { key } = await createApiKey(owner);
    const auth = keyOptions(key, via);
    expect((await api("GET", "/api/tasks", auth)).body.items).toEqual([]);
    expectError(await api("GET", `/api/tasks/${othersTask.id}`, auth), 404, "TASK_NOT_FOUND");
    expectError(await api("DELETE", `/api/tasks/${othersTask.id}`, auth), 404, "TASK_NOT_FOUND");
    expect((await api("GET", `/api/tasks/${othersTask.id}`, { token: other.token })).status).toBe(200);
  });
});

describe("a read-scoped key", () => {
  it.each(TRANSPORTS)("reads, and every write answers 403 FORBIDDEN naming the missing scope (%s)", async (via) => {
    const user = await signUp();
    const task = await createTask(user, { title: "existing" });
    const { key } = await createApiKey(user, { name: "reader", scope: "read" });
    const auth = keyOptions(key, via);

    const listed = await api("GET", "/api/tasks", auth);
    expect(listed.status, listed.text).toBe(200);
    expect(listed.body.items).toHaveLength(1);
    expect((await api("GET", `/api/tasks/${task.id}`, auth)).status).toBe(200);

    const writes = [
      api("POST", "/api/tasks", { ...auth, json: { title: "nope" } }),
      api("PUT", `/api/tasks/${task.id}`, { ...auth, json: { title: "nope", completed: true } }),
      api("PATCH", `/api/tasks/${task.id}`, { ...auth, json: { completed: true } }),
      api("DELETE", `/api/tasks/${task.id}`, auth),
    ];
    for (const response of await Promise.all(writes)) {
      const body = expectError(response, 403, "FORBIDDEN");
      expect(body.detail).toMatch(/read-write/);
    }
    // Nothing changed.
    const after = await api("GET", "/api/tasks", { token: user.token });
    expect(after.body.items).toEqual([task]);
  });
});

describe("revoking, disabling and expiring", () => {
  it.each(TRANSPORTS)("a deleted key answers 401 on the very next request (%s)", async (via) => {
    const user = await signUp();
    const created = await createApiKey(user);
    expect((await listTasksWith(created.key, via)).status).toBe(200);
    const response = await deleteKey(user, created.id);
    expect(response.status, response.text).toBe(200);
    expect(response.body).toEqual({ success: true });
    const next = await listTasksWith(created.key, via);
    expectUnauthorized(next);
    expect(next.headers.get("www-authenticate")).toBe("Bearer");
    expectUnauthorized(await api("POST", "/api/tasks", { ...keyOptions(created.key, via), json: { title: "after revoke" } }));
    expect((await listKeys(user)).body.total).toBe(0);
    expect(await storedKey(created.id)).toBeUndefined();
    // Deleting it again: the key is gone.
    expectError(await deleteKey(user, created.id), 404, "NOT_FOUND");
  });

  it("a disabled key answers 401 at once; enabled again, it works again", async () => {
    const user = await signUp();
    const created = await createApiKey(user);
    expect((await listTasksWith(created.key)).status).toBe(200);

    const disabled = await updateKey(user, { keyId: created.id, enabled: false });
    expect(disabled.status, disabled.text).toBe(200);
    expect(disabled.body).toMatchObject({ id: created.id, enabled: false });
    expect(disabled.body).not.toHaveProperty("key");
    for (const via of TRANSPORTS) expectUnauthorized(await listTasksWith(created.key, via));
    expectUnauthorized(await api("POST", "/api/tasks", { token: created.key, json: { title: "while disabled" } }));
    expect((await listKeys(user)).body.apiKeys[0].enabled).toBe(false);

    const enabled = await updateKey(user, { keyId: created.id, enabled: true });
    expect(enabled.status, enabled.text).toBe(200);
    expect(enabled.body.enabled).toBe(true);
    for (const via of TRANSPORTS) expect((await listTasksWith(created.key, via)).status).toBe(200);
    expect((await api("POST", "/api/tasks", { token: created.key, json: { title: "enabled again" } })).status).toBe(201);
  });

  it("update renames a key and changes its expiry, without changing the key", async () => {
    const user = await signUp();
    const created = await createApiKey(user, { name: "old name" });
    const renamed = await updateKey(user, { keyId: created.id, name: "new name", expiresIn: 7 * DAY_S });
    expect(renamed.status, renamed.text).toBe(200);
    expect(renamed.body).toMatchObject({ id: created.id, name: "new name", enabled: true });
    expect(new Date(renamed.body.expiresAt).getTime()).toBeGreaterThan(Date.now() + 6 * DAY_S * 1000);
    expect((await storedKey(created.id))!.key).toBe(apiKeyHash(created.key));
    expect((await listTasksWith(created.key)).status).toBe(200);
  });

  it("an expired key answers 401", async () => {
    const user = await signUp();
    const created = await createApiKey(user, { expiresIn: DAY_S });
    expect((await listTasksWith(created.key)).status).toBe(200);
    await (await db())
      .update(apikeys)
      .set({ expiresAt: new Date(Date.now() - 60_000) })
      .where(eq(apikeys.id, created.id));
    for (const via of TRANSPORTS) expectUnauthorized(await listTasksWith(created.key, via));
    expectUnauthorized(await api("POST", "/api/tasks", { token: created.key, json: { title: "expired" } }));
  });

  it("a key whose user is deleted answers 401", async () => {
    const user = await signUp();
    const created = await createApiKey(user);
    expect((await listTasksWith(created.key)).status).toBe(200);
    await (await db()).delete(users).where(eq(users.id, user.id));
    for (const via of TRANSPORTS) expectUnauthorized(await listTasksWith(created.key, via));
    expectUnauthorized(await api("POST", "/api/tasks", { token: created.key, json: { title: "orphan" } }));
  });

  it("an unknown key, an altered key and an empty x-api-key answer 401", async () => {
    const user = await signUp();
    const { key } = await createApiKey(user);
    const altered = key.slice(0, -1) + (key.endsWith("a") ? "b" : "a");
    for (const via of TRANSPORTS) {
      expectUnauthorized(await listTasksWith(altered, via));
      expectUnauthorized(await listTasksWith(`tk_${"A".repeat(48)}`, via));
      expectUnauthorized(await listTasksWith(`${key}x`, via));
    }
    expectUnauthorized(await api("GET", "/api/tasks", { headers: { "x-api-key": "" } }));
  });
});

describe("another user's key", () => {
  it("update and delete answer exactly as for a missing key and leave the key alone", async () => {
    const owner = await signUp();
    const intruder = await signUp();
    const target = await createApiKey(owner, { name: "owner's" });
    const before = await storedKey(target.id);

    const missingUpdate = await updateKey(intruder, { keyId: "no-such-key-id", enabled: false });
    const missingDelete = await deleteKey(intruder, "no-such-key-id");
    expectError(missingUpdate, 404, "NOT_FOUND");
    expectError(missingDelete, 404, "NOT_FOUND");

    const update = await updateKey(intruder, { keyId: target.id, enabled: false, name: "hijacked" });
    const remove = await deleteKey(intruder, target.id);
    for (const [response, missing] of [
      [update, missingUpdate],
      [remove, missingDelete],
    ] as const) {
      expect(response.status).toBe(missing.status);
      expect(response.body.error_code).toBe(missing.body.error_code);
      expect(response.body.code).toBe(missing.body.code);
      expect(response.body.detail).toBe(missing.body.detail);
    }

    const after = await storedKey(target.id);
    expect(after).toEqual(before);
    expect((await listTasksWith(target.key)).status).toBe(200);
    expect((await listKeys(owner)).body.apiKeys[0]).toMatchObject({ id: target.id, name: "owner's", enabled: true });
    expect((await listKeys(intruder)).body.total).toBe(0);
  });
});

describe("strict bodies", () => {
  const create = (user: TestUser, json: unknown) => api("POST", "/api/auth/api-key/create", { token: user.token, json });

  it.each([
    ["permissions", { name: "k", permissions: { tasks: ["read", "write"] } }],
    ["prefix", { name: "k", prefix: "sk_" }],
    ["configId", { name: "k", configId: "other" }],
    ["userId", { name: "k", userId: "someone-else" }],
    ["referenceId", { name: "k", referenceId: "someone-else" }],
    ["remaining", { name: "k", remaining: 5 }],
    ["metadata", { name: "k", metadata: { a: 1 } }],
    ["unknownField", { name: "k", unknownField: true }],
  ])("create with %s → 400 VALIDATION_ERROR naming it, and no key", async (field, json) => {
    const user = await signUp();
    expectValidation(await create(user, json), field);
    expect((await listKeys(user)).body.total).toBe(0);
  });

  it.each([
    ["an empty name", { name: "" }, "name"],
    ["a blank name", { name: "   " }, "name"],
    ["a name of 33 characters", { name: "n".repeat(33) }, "name"],
    ["a missing name", {}, "name"],
    ["a numeric name", { name: 42 }, "name"],
    ["an unknown scope", { name: "k", scope: "admin" }, "scope"],
    ["scope write", { name: "k", scope: "write" }, "scope"],
    ["expiresIn one second under a day", { name: "k", expiresIn: DAY_S - 1 }, "expiresIn"],
    ["expiresIn one second over 365 days", { name: "k", expiresIn: 365 * DAY_S + 1 }, "expiresIn"],
    ["expiresIn 0", { name: "k", expiresIn: 0 }, "expiresIn"],
    ["a negative expiresIn", { name: "k", expiresIn: -DAY_S }, "expiresIn"],
    ["a fractional expiresIn", { name: "k", expiresIn: DAY_S + 0.5 }, "expiresIn"],
    ["expiresIn as a string", { name: "k", expiresIn: "86400" }, "expiresIn"],
  ])("create with %s → 400 VALIDATION_ERROR", async (_name, json, field) => {
    const user = await signUp();
    expectValidation(await create(user, json), field);
    expect((await listKeys(user)).body.total).toBe(0);
  });

  it("a name of exactly 32 characters is accepted", async () => {
    const user = await signUp();
    expect((await createApiKey(user, { name: "n".repeat(32) })).name).toBe("n".repeat(32));
  });

  it("update and delete bodies are strict too, and nothing changes", async () => {
    const user = await signUp();
    const created = await createApiKey(user, { name: "kept", scope: "read" });
    const before = await storedKey(created.id);
    expectValidation(await updateKey(user, { keyId: created.id, permissions: { tasks: ["read", "write"] } }), "permissions");
    expectValidation(await updateKey(user, { keyId: created.id, userId: "x" }), "userId");
    expectValidation(await updateKey(user, { keyId: created.id, remaining: 1 }), "remaining");
    expectValidation(await updateKey(user, { keyId: created.id, name: "" }), "name");
    expectValidation(await updateKey(user, { keyId: created.id, name: "n".repeat(33) }), "name");
    expectValidation(await updateKey(user, { keyId: created.id, expiresIn: DAY_S - 1 }), "expiresIn");
    expectValidation(await updateKey(user, { keyId: created.id, expiresIn: 365 * DAY_S + 1 }), "expiresIn");
    expectValidation(await updateKey(user, { keyId: created.id, enabled: "false" }), "enabled");
    expectValidation(await updateKey(user, { name: "no id" }), "keyId");
    // Only the id: nothing to change.
    expectError(await updateKey(user, { keyId: created.id }), 400, "VALIDATION_ERROR");
    expectValidation(await api("POST", "/api/auth/api-key/delete", { token: user.token, json: { keyId: created.id, userId: "x" } }), "userId");
    expectValidation(await api("POST", "/api/auth/api-key/delete", { token: user.token, json: {} }), "keyId");
    expect(await storedKey(created.id)).toEqual(before);
  });

  it("a body that is not a JSON object → 400 INVALID_JSON", async () => {
    const user = await signUp();
    const headers = { "content-type": "application/json" };
    expectError(await api("POST", "/api/auth/api-key/create", { token: user.token, headers, body: "{not json" }), 400, "INVALID_JSON");
    expectError(await api("POST", "/api/auth/api-key/create", { token: user.token, headers, body: "[]" }), 400, "INVALID_JSON");
  });
});

describe("an API key cannot manage keys", () => {
  it.each(TRANSPORTS)("every /api/auth/api-key/* endpoint answers 401 to a key (%s)", async (via) => {
    const user = await signUp();
    const created = await createApiKey(user);
    const auth = keyOptions(created.key, via);
    expectUnauthorized(await api("POST", "/api/auth/api-key/create", { ...auth, json: { name: "minted by a key" } }));
    expectUnauthorized(await api("GET", "/api/auth/api-key/list", auth));
    expectUnauthorized(await api("POST", "/api/auth/api-key/update", { ...auth, json: { keyId: created.id, enabled: false } }));
    expectUnauthorized(await api("POST", "/api/auth/api-key/delete", { ...auth, json: { keyId: created.id } }));
    // Nothing changed and the key is not a session.
    expect((await listKeys(user)).body).toMatchObject({ total: 1, apiKeys: [{ id: created.id, enabled: true }] });
    const session = await api("GET", "/api/auth/get-session", auth);
    expect(session.status, session.text).toBe(200);
    expect(session.body).toBeNull();
    expect((await listTasksWith(created.key, via)).status).toBe(200);
  });
});

describe("the per-user write limit", () => {
  it("counts writes by keys and by sessions of the same user together", async () => {
    const user = await signUp();
    const first = await createApiKey(user, { name: "first" });
    const second = await createApiKey(user, { name: "second" });
    const credentials = [{ token: user.token }, { token: first.key }, { headers: { "x-api-key": second.key } }];
    const remaining: (string | null)[] = [];
    for (let i = 0; i < WRITES_MAX; i++) {
      const response = await api("POST", "/api/tasks", { ...credentials[i % 3], json: { title: `write ${i}` } });
      expect(response.status, response.text).toBe(201);
      remaining.push(response.headers.get("x-ratelimit-remaining"));
    }
    expect(remaining).toEqual(Array.from({ length: WRITES_MAX }, (_, i) => String(WRITES_MAX - 1 - i)));
    for (const auth of credentials) {
      const limited = await api("POST", "/api/tasks", { ...auth, json: { title: "one too many" } });
      expectError(limited, 429, "RATE_LIMITED");
      expect(limited.headers.get("x-ratelimit-limit")).toBe(String(WRITES_MAX));
      expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    }
    // A new key of the same user gets no fresh allowance.
    const third = await createApiKey(user, { name: "third" });
    expectError(await api("POST", "/api/tasks", { token: third.key, json: { title: "fresh key" } }), 429, "RATE_LIMITED");
    // Reads are not limited; nothing beyond the limit was written.
    const list = await api("GET", "/api/tasks", { token: first.key });
    expect(list.status).toBe(200);
    expect(list.body.items).toHaveLength(WRITES_MAX);
    // Another user is not affected.
    const other = await signUp();
    const otherKey = await createApiKey(other);
    expect((await api("POST", "/api/tasks", { token: otherKey.key, json: { title: "mine" } })).status).toBe(201);
  });
});

describe("last_request", () => {
  it("is set on first use, not rewritten on an immediate second use, and refreshed after a minute", async () => {
    const user = await signUp();
    const created = await createApiKey(user);
    expect((await storedKey(created.id))!.lastRequest).toBeNull();

    const before = Date.now();
    expect((await listTasksWith(created.key)).status).toBe(200);
    const first = (await storedKey(created.id))!.lastRequest;
    expect(first).toBeInstanceOf(Date);
    // Database and test clocks agree to within a few seconds.
    expect(Math.abs(first!.getTime() - before)).toBeLessThan(10_000);

    expect((await listTasksWith(created.key, "x-api-key")).status).toBe(200);
    expect((await api("POST", "/api/tasks", { token: created.key, json: { title: "a write" } })).status).toBe(201);
    expect((await storedKey(created.id))!.lastRequest!.getTime()).toBe(first!.getTime());

    // Two minutes later (moved back in the database), the next request refreshes it.
    const stale = new Date(first!.getTime() - 120_000);
    await (await db()).update(apikeys).set({ lastRequest: stale }).where(eq(apikeys.id, created.id));
    expect((await listTasksWith(created.key)).status).toBe(200);
    const refreshed = (await storedKey(created.id))!.lastRequest!;
    expect(refreshed.getTime()).toBeGreaterThan(stale.getTime() + 60_000);

    // The list shows it.
    const listed = (await listKeys(user)).body.apiKeys[0];
    expect(new Date(listed.lastRequest).getTime()).toBe(refreshed.getTime());
  });

  it("a rejected key (disabled) does not touch it", async () => {
    const user = await signUp();
    const created = await createApiKey(user);
    expect((await updateKey(user, { keyId: created.id, enabled: false })).status).toBe(200);
    expectUnauthorized(await listTasksWith(created.key));
    expect((await storedKey(created.id))!.lastRequest).toBeNull();
  });
});

describe("concurrency", () => {
  it("10 parallel reads with one key all succeed", async () => {
    const user = await signUp();
    await createTask(user, { title: "seen by all" });
    const { key } = await createApiKey(user, { scope: "read" });
    const responses = await Promise.all(
      Array.from({ length: 10 }, (_, i) => listTasksWith(key, TRANSPORTS[i % 2])),
    );
    for (const response of responses) {
      expect(response.status, response.text).toBe(200);
      expect(response.body.items).toHaveLength(1);
    }
  });

  it("10 parallel writes with one key all succeed", async () => {
    const user = await signUp();
    const { key } = await createApiKey(user);
    const responses = await Promise.all(
      Array.from({ length: 10 }, (_, i) => api("POST", "/api/tasks", { ...keyOptions(key, TRANSPORTS[i % 2]), json: { title: `parallel ${i}` } })),
    );
    for (const response of responses) expect(response.status, response.text).toBe(201);
    const list = await api("GET", "/api/tasks", { token: user.token });
    expect(list.body.items).toHaveLength(10);
  });
});

describe("the auth surface is an allow-list", () => {
  const unknownPaths = [
    "/api/auth/ok",
    "/api/auth/error",
    "/api/auth/update-user",
    "/api/auth/list-sessions",
    "/api/auth/revoke-sessions",
    "/api/auth/delete-user",
    "/api/auth/change-password",
    "/api/auth/api-key/verify",
    "/api/auth/api-key/get",
    "/api/auth/api-key/delete-all-expired-api-keys",
    "/api/auth/api-key",
  ];

  it.each(unknownPaths)("%s → 404 NOT_FOUND JSON for GET and POST, signed in or not", async (path) => {
    const user = await signUp();
    for (const options of [{}, { token: user.token }]) {
      for (const method of ["GET", "POST"]) {
        const response = await api(method, path, { ...options, ...(method === "POST" ? { json: {} } : {}) });
        expectError(response, 404, "NOT_FOUND");
        expect(response.headers.get("content-type")).toMatch(/^application\/json/);
      }
    }
  });

  it("the plugin's verify endpoint does not verify a real key", async () => {
    const user = await signUp();
    const { key } = await createApiKey(user);
    const response = await api("POST", "/api/auth/api-key/verify", { json: { key } });
    expectError(response, 404, "NOT_FOUND");
    expect(response.text).not.toContain(user.id);
  });

  it.each([
    ["GET", "/api/auth/api-key/create", "POST, OPTIONS"],
    ["GET", "/api/auth/api-key/update", "POST, OPTIONS"],
    ["GET", "/api/auth/api-key/delete", "POST, OPTIONS"],
    ["POST", "/api/auth/api-key/list", "GET, HEAD, OPTIONS"],
    ["GET", "/api/auth/sign-in/email", "POST, OPTIONS"],
    ["GET", "/api/auth/sign-out", "POST, OPTIONS"],
    ["POST", "/api/auth/get-session", "GET, HEAD, OPTIONS"],
  ])("%s %s → 405 METHOD_NOT_ALLOWED with Allow", async (method, path, allow) => {
    const user = await signUp();
    const response = await api(method, path, { token: user.token, ...(method === "POST" ? { json: {} } : {}) });
    expectError(response, 405, "METHOD_NOT_ALLOWED");
    expect(response.headers.get("allow")).toBe(allow);
  });
});
