import { eq, sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { sessions } from "@/lib/db/schema";
import { DRAIN_MAX_BYTES } from "@/lib/http/body";
import { api, expectError, expectValidation, signUp, type ApiResponse, type TestUser } from "@/test/api";
import { allPages, itemPath, RESOURCES, streamOf, type ItemMethod, type ResourceUnderTest } from "@/test/resources";

// The rules every user-scoped resource keeps, tested once for each (test/resources.ts lists
// them): credentials before anything else, path ids, ownership, unsupported methods, the body
// reader, page sizes and keyset paging. Resource-specific rules live beside each resource's
// routes. Every test makes its own users: the pg and neon projects share one database.

const MAX_BODY = 64 * 1024;
const JSON_HEADERS = { "content-type": "application/json" };
const ITEM_METHODS: ItemMethod[] = ["GET", "PUT", "PATCH", "DELETE"];

function expectUnauthorized(response: ApiResponse) {
  expectError(response, 401, "UNAUTHORIZED");
  expect(response.headers.get("www-authenticate")).toBe("Bearer");
}

function expectAllow(response: ApiResponse, allowed: string[], refused: string) {
  expectError(response, 405, "METHOD_NOT_ALLOWED");
  const allow = (response.headers.get("allow") ?? "").split(",").map((value) => value.trim());
  expect(allow).toEqual(expect.arrayContaining(allowed));
  expect(allow).not.toContain(refused);
}

/** The method's valid body as JSON padded with whitespace to exactly `size` bytes. */
function paddedBody(json: Record<string, unknown>, size: number) {
  const text = JSON.stringify(json);
  return text.slice(0, -1) + " ".repeat(size - Buffer.byteLength(text)) + "}";
}

describe.each(RESOURCES)("the resource contract: $name", (resource: ResourceUnderTest) => {
  const body = (method: ItemMethod) => (method === "PUT" || method === "PATCH" ? resource.bodies[method] : undefined);
  const call = (method: ItemMethod, user: TestUser | undefined, id: number | string) =>
    api(method, itemPath(resource, id), { token: user?.token, json: body(method) });
  const get = (user: TestUser, id: number) => api("GET", itemPath(resource, id), { token: user.token });
  const list = (user: TestUser, query = "") => api("GET", `${resource.path}${query}`, { token: user.token });
  const postRaw = (user: TestUser | undefined, raw: BodyInit, headers: Record<string, string> = JSON_HEADERS) =>
    api("POST", resource.path, { token: user?.token, body: raw, headers });
  const expectNotFound = (response: ApiResponse) => expectError(response, 404, resource.notFound);

  async function deletedId(user: TestUser): Promise<number> {
    const item = await resource.create(user, 0);
    expect((await api("DELETE", itemPath(resource, item.id), { token: user.token })).status).toBe(204);
    return item.id;
  }

  describe.each(ITEM_METHODS)("%s on an item: ids, ownership and credentials", (method) => {
    let owner: TestUser;
    let stranger: TestUser;
    beforeAll(async () => {
      owner = await signUp("Owner");
      stranger = await signUp("Stranger");
    });

    it.each(["abc", "0", "-1", "1.5", "1e3", "0x10", "99999999999", "2147483648"])("rejects the id %s with 400", async (id) => {
      expectValidation(await call(method, owner, id), "id");
    });

    it("answers not found for the largest int4 id, which is valid but missing", async () => {
      expectNotFound(await call(method, owner, 2147483647));
    });

    it("answers not found for a deleted item, and does not bring it back", async () => {
      const id = await deletedId(owner);
      expectNotFound(await call(method, owner, id));
      expectNotFound(await get(owner, id));
    });

    it("answers for another user's item exactly as for a missing one, and leaves it unchanged", async () => {
      const item = (await get(owner, (await resource.create(owner, 1)).id)).body;
      const missing = await call(method, stranger, await deletedId(stranger));
      const foreign = await call(method, stranger, item.id);

      expectNotFound(foreign);
      expect(foreign.status).toBe(missing.status);
      expect({ ...foreign.body, request_id: undefined }).toEqual({ ...missing.body, request_id: undefined });
      expect(foreign.headers.get("x-error-code")).toBe(missing.headers.get("x-error-code"));
      expect(foreign.headers.get("content-type")).toBe(missing.headers.get("content-type"));
      expect((await get(owner, item.id)).body).toEqual(item);
    });

    it("answers 401 with WWW-Authenticate: Bearer without valid credentials, before looking at the id", async () => {
      const item = (await get(owner, (await resource.create(owner, 2)).id)).body;
      const badCredentials: Record<string, string>[] = [
        {},
        { authorization: "Bearer AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" },
        { authorization: "Basic eDp5" },
      ];
      for (const headers of badCredentials) {
        expectUnauthorized(await api(method, itemPath(resource, item.id), { headers, json: body(method) }));
      }
      expectUnauthorized(await call(method, undefined, "abc"));
      expect((await get(owner, item.id)).body).toEqual(item);
    });

    it("works with the session cookie", async () => {
      const item = await resource.create(owner, 3);
      const response = await api(method, itemPath(resource, item.id), { cookie: owner.cookie, json: body(method) });
      expect(response.status, response.text).toBe(method === "DELETE" ? 204 : 200);
    });
  });

  describe("credentials on the collection", () => {
    let user: TestUser;
    beforeAll(async () => {
      user = await signUp("Auth");
    });

    const badCredentials: [string, Record<string, string>][] = [
      ["no credentials", {}],
      ["an unknown well-formed token", { authorization: "Bearer AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" }],
      ["a malformed token", { authorization: "Bearer not a token" }],
      ["an empty bearer", { authorization: "Bearer " }],
      ["a non-bearer scheme", { authorization: "Basic dXNlcjpwYXNzd29yZA==" }],
      ["a garbage session cookie", { cookie: "better-auth.session_token=garbage" }],
      ["an unrelated cookie", { cookie: "theme=dark" }],
    ];

    it.each(badCredentials)("GET answers 401 with WWW-Authenticate: Bearer for %s", async (_, headers) => {
      expectUnauthorized(await api("GET", resource.path, { headers }));
    });

    it.each(badCredentials)("POST answers 401 with WWW-Authenticate: Bearer for %s", async (_, headers) => {
      expectUnauthorized(await api("POST", resource.path, { headers: { ...headers, ...JSON_HEADERS }, body: JSON.stringify(resource.bodies.POST) }));
    });

    it("rejects the right token under another scheme", async () => {
      expectUnauthorized(await api("GET", resource.path, { headers: { authorization: `Token ${user.token}` } }));
    });

    it("rejects a tampered token and a cookie with a bad signature", async () => {
      const tampered = user.token.slice(0, -1) + (user.token.endsWith("A") ? "B" : "A");
      expectUnauthorized(await api("GET", resource.path, { token: tampered }));
      const [name, value] = user.cookie.split("=") as [string, string];
      const decoded = decodeURIComponent(value);
      const badSignature = `${decoded.slice(0, decoded.lastIndexOf(".") + 1)}${Buffer.alloc(32).toString("base64")}`;
      expectUnauthorized(await api("GET", resource.path, { cookie: `${name}=${encodeURIComponent(badSignature)}` }));
    });

    it("accepts the valid token and cookie (control)", async () => {
      expect((await api("GET", resource.path, { token: user.token })).status).toBe(200);
      expect((await api("GET", resource.path, { cookie: user.cookie })).status).toBe(200);
    });

    it("rejects a signed-out session's token and cookie at once", async () => {
      const leaving = await signUp("Leaving");
      await resource.create(leaving, 1);
      expect((await api("POST", "/api/auth/sign-out", { token: leaving.token })).status).toBe(200);
      expectUnauthorized(await api("GET", resource.path, { token: leaving.token }));
      expectUnauthorized(await api("GET", resource.path, { cookie: leaving.cookie }));
      expectUnauthorized(await api("POST", resource.path, { token: leaving.token, json: resource.bodies.POST }));
    });

    it("rejects an expired session", async () => {
      const expiring = await signUp("Expiring");
      expect((await list(expiring)).status).toBe(200);
      await (await db())
        .update(sessions)
        .set({ expiresAt: sql`now() - interval '1 minute'` })
        .where(eq(sessions.token, expiring.token));
      expectUnauthorized(await list(expiring));
      expectUnauthorized(await api("POST", resource.path, { token: expiring.token, json: resource.bodies.POST }));
    });

    describe("401 comes before anything about the request", () => {
      it("with a body that is not JSON", async () => {
        expectUnauthorized(await postRaw(undefined, "not json"));
      });

      it("with an invalid body", async () => {
        expectUnauthorized(await api("POST", resource.path, { json: resource.invalidBody }));
      });

      it("with the wrong content type", async () => {
        expectUnauthorized(await postRaw(undefined, JSON.stringify(resource.bodies.POST), { "content-type": "text/plain" }));
      });

      it("with an oversized body", async () => {
        const raw = paddedBody(resource.bodies.POST, 100_000);
        expectUnauthorized(await postRaw(undefined, raw, { ...JSON_HEADERS, "content-length": String(raw.length) }));
      });

      // Credentials that may be valid are checked in the statement that writes (one round trip),
      // so that body is read first, up to its size limit; without credentials it never is.
      it("without credentials: without reading the body at all", async () => {
        let pulled = 0;
        const raw = streamOf([new TextEncoder().encode(JSON.stringify(resource.bodies.POST))], (bytes) => (pulled = bytes));
        const response = await api("POST", resource.path, { body: raw, headers: JSON_HEADERS });
        expectUnauthorized(response);
        expect(pulled).toBe(0);
      });

      it("with an invalid query on GET", async () => {
        expectUnauthorized(await api("GET", `${resource.path}?limit=0&cursor=garbage`));
      });
    });
  });

  describe("the request body", () => {
    let user: TestUser;
    beforeAll(async () => {
      user = await signUp("Body");
    });

    it.each([
      ["plain text", "not json"],
      ["truncated JSON", '{"name":'],
      ["single quotes", "{'name':'x'}"],
      ["a trailing comma", '{"name":"x",}'],
      ["an empty body", ""],
      ["an array", "[{}]"],
      ["null", "null"],
      ["a number", "42"],
      ["a string", '"x"'],
      ["a boolean", "true"],
    ])("answers INVALID_JSON for %s", async (_, raw) => {
      expectError(await postRaw(user, raw), 400, "INVALID_JSON");
    });

    it("answers INVALID_JSON for invalid UTF-8", async () => {
      const invalid = [
        Buffer.concat([Buffer.from('{"x":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]),
        Buffer.concat([Buffer.from('{"x":"'), Buffer.from([0xc0, 0xaf]), Buffer.from('"}')]), // overlong "/"
        Buffer.concat([Buffer.from('{"x":"'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('"}')]), // encoded surrogate
      ];
      for (const bytes of invalid) expectError(await postRaw(user, new Uint8Array(bytes)), 400, "INVALID_JSON");
    });

    it.each(["text/plain", "application/x-www-form-urlencoded", "application/json-patch+json"])(
      "answers 415 for the content type %s",
      async (contentType) => {
        expectError(await postRaw(user, JSON.stringify(resource.bodies.POST), { "content-type": contentType }), 415, "UNSUPPORTED_MEDIA_TYPE");
      },
    );

    it("answers 415 with no content type", async () => {
      expectError(await postRaw(user, new TextEncoder().encode(JSON.stringify(resource.bodies.POST)), {}), 415, "UNSUPPORTED_MEDIA_TYPE");
    });

    it("accepts a body of exactly 64 KiB", async () => {
      const raw = paddedBody(resource.bodies.POST, MAX_BODY);
      expect(Buffer.byteLength(raw)).toBe(MAX_BODY);
      const response = await postRaw(user, raw, { ...JSON_HEADERS, "content-length": String(MAX_BODY) });
      expect(response.status, response.text).toBe(201);
    });

    it("answers 413 for one byte over 64 KiB with Content-Length, and for a large body", async () => {
      for (const size of [MAX_BODY + 1, 200_000]) {
        const raw = paddedBody(resource.bodies.POST, size);
        expectError(await postRaw(user, raw, { ...JSON_HEADERS, "content-length": String(size) }), 413, "PAYLOAD_TOO_LARGE");
      }
    });

    it("answers 413 for a body over 64 KiB without Content-Length (streamed)", async () => {
      const bytes = new TextEncoder().encode(paddedBody(resource.bodies.POST, MAX_BODY + 1));
      const chunks = [bytes.subarray(0, 30_000), bytes.subarray(30_000, 60_000), bytes.subarray(60_000)];
      expectError(await postRaw(user, streamOf(chunks)), 413, "PAYLOAD_TOO_LARGE");
    });

    it("stops reading an endless streamed body after 64 KiB and the bounded drain", async () => {
      const chunk = new TextEncoder().encode(" ".repeat(16 * 1024));
      const chunks = [new TextEncoder().encode('{"x":"endless"'), ...Array.from({ length: 1024 }, () => chunk)];
      let pulled = 0;
      expectError(await postRaw(user, streamOf(chunks, (bytes) => (pulled = bytes))), 413, "PAYLOAD_TOO_LARGE");
      expect(pulled).toBeGreaterThan(MAX_BODY);
      // Past the limit the server reads on only to keep the connection usable (lib/http/body.ts).
      expect(pulled).toBeLessThan(MAX_BODY + DRAIN_MAX_BYTES + 4 * chunk.byteLength);
    });

    it("accepts a streamed body under the limit", async () => {
      const bytes = new TextEncoder().encode(paddedBody(resource.bodies.POST, MAX_BODY - 10));
      const response = await postRaw(user, streamOf([bytes.subarray(0, 1000), bytes.subarray(1000)]));
      expect(response.status, response.text).toBe(201);
    });

    it("refuses the same bad bodies on PUT and PATCH", async () => {
      const item = await resource.create(user, 1);
      for (const method of ["PUT", "PATCH"] as const) {
        const send = (raw: BodyInit, headers: Record<string, string> = JSON_HEADERS) =>
          api(method, itemPath(resource, item.id), { token: user.token, body: raw, headers });
        expectError(await send("not json"), 400, "INVALID_JSON");
        expectError(await send("[]"), 400, "INVALID_JSON");
        expectError(await send(JSON.stringify(resource.bodies[method]), { "content-type": "text/plain" }), 415, "UNSUPPORTED_MEDIA_TYPE");
        const raw = paddedBody(resource.bodies[method], MAX_BODY + 1);
        expectError(await send(raw, { ...JSON_HEADERS, "content-length": String(MAX_BODY + 1) }), 413, "PAYLOAD_TOO_LARGE");
      }
    });
  });

  describe("unsupported methods", () => {
    it.each(["PUT", "PATCH", "DELETE"])("%s on the collection answers 405 with Allow", async (method) => {
      const user = await signUp();
      expectAllow(await api(method, resource.path, { token: user.token, json: resource.bodies.POST }), ["GET", "POST"], method);
    });

    it("POST on an item answers 405 with Allow, and changes nothing", async () => {
      const user = await signUp();
      const item = (await get(user, (await resource.create(user, 1)).id)).body;
      const response = await api("POST", itemPath(resource, item.id), { token: user.token, json: resource.bodies.POST });
      expectAllow(response, ["GET", "PUT", "PATCH", "DELETE"], "POST");
      expect((await get(user, item.id)).body).toEqual(item);
    });
  });

  describe("page size", () => {
    let user: TestUser;
    beforeAll(async () => {
      user = await signUp("Limit");
      for (let i = 0; i < 3; i++) await resource.create(user, i);
    });

    it("answers an empty page for a user with none", async () => {
      const response = await list(await signUp());
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ items: [], next_cursor: null });
    });

    it("accepts 1 and 100", async () => {
      const one = await list(user, "?limit=1");
      expect(one.body.items).toHaveLength(1);
      expect(typeof one.body.next_cursor).toBe("string");
      expect((await list(user, "?limit=100")).body.next_cursor).toBeNull();
    });

    it.each(["0", "101", "-1", "1.5", "abc", "", "1e2"])("rejects limit=%s", async (limit) => {
      expectValidation(await list(user, `?limit=${limit}`), "limit");
    });

    it("rejects a repeated limit", async () => {
      expectValidation(await list(user, "?limit=1&limit=2"), "limit");
    });
  });

  describe("keyset paging", () => {
    it("walks every item once, with next_cursor null on the last page and no empty last page", async () => {
      const user = await signUp();
      const created = new Set<number>();
      for (let i = 0; i < 5; i++) created.add((await resource.create(user, i)).id);
      const pages = await allPages(resource, user, "limit=2");
      expect(pages.map((page) => page.items.length)).toEqual([2, 2, 1]);
      expect(pages.map((page) => page.next_cursor === null)).toEqual([false, false, true]);
      const seen = pages.flatMap((page) => page.items.map((item) => item.id));
      expect(new Set(seen).size).toBe(seen.length);
      expect(new Set(seen)).toEqual(created);

      await resource.create(user, 5);
      expect((await allPages(resource, user, "limit=3")).map((page) => page.items.length)).toEqual([3, 3]);
    });

    it.each(["garbage", "not-a-cursor", "!!!", "12345", "MA", "LTE"])("rejects the cursor %s", async (cursor) => {
      expectValidation(await list(await signUp(), `?cursor=${encodeURIComponent(cursor)}`), "cursor");
    });

    it("with another user's cursor shows only the caller's own items", async () => {
      const [alice, bob] = [await signUp(), await signUp()];
      for (let i = 0; i < 3; i++) await resource.create(alice, i);
      const cursor = (await list(alice, "?limit=1")).body.next_cursor as string;
      const response = await list(bob, `?limit=1&cursor=${encodeURIComponent(cursor)}`);
      expect(response.status).toBe(200);
      expect(response.body.items).toEqual([]);
    });

    it("has no duplicates or gaps while items are created and deleted between pages", async () => {
      const user = await signUp();
      const original: number[] = [];
      for (let i = 1; i <= 9; i++) original.push((await resource.create(user, i)).id);
      const remove = async (id: number) => expect((await api("DELETE", itemPath(resource, id), { token: user.token })).status).toBe(204);
      const seen: number[] = [];
      const deleted = new Set<number>();
      const deletedUnseen = new Set<number>();

      let page = await list(user, "?limit=3");
      seen.push(...page.body.items.map((item: { id: number }) => item.id));
      for (let round = 0; page.body.next_cursor; round++) {
        // Between pages: a new item, one not yet seen deleted, one already seen deleted.
        await resource.create(user, 100 + round);
        const unseen = original.find((id) => !seen.includes(id) && !deleted.has(id));
        const seenOne = seen.find((id) => !deleted.has(id));
        for (const id of [unseen, seenOne]) if (id !== undefined) (await remove(id), deleted.add(id));
        if (unseen !== undefined) deletedUnseen.add(unseen);
        page = await list(user, `?limit=3&cursor=${encodeURIComponent(page.body.next_cursor)}`);
        seen.push(...page.body.items.map((item: { id: number }) => item.id));
      }

      expect(new Set(seen).size, "no item twice").toBe(seen.length);
      for (const id of original) {
        if (!deleted.has(id)) expect(seen, `item ${id} was there throughout`).toContain(id);
        if (deletedUnseen.has(id)) expect(seen, `item ${id} was deleted before its page`).not.toContain(id);
      }
    });
  });
});
