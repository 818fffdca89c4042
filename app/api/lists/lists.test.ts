import { beforeAll, describe, expect, it } from "vitest";
import { api, createTask, expectError, expectValidation, signUp, type ApiResponse, type TestUser } from "@/test/api";
import { createList, seededRandom, TEST_SEED } from "@/test/resources";

// GET and POST /api/lists on the real handlers: the rules of lists (issue #11). What every
// resource shares (credentials, ids, ownership, body reader, page size, plain keyset paging) is
// in app/api/resources.test.ts; renames and deletes of one list in [id]/list.test.ts. The random
// checks name their seed in failure messages (replay with TEST_SEED=<seed>). Every test makes its
// own users: the pg and neon projects share one database.

const TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const EMOJI = "\u{1F600}"; // one code point, two UTF-16 units
const JSON_HEADERS = { "content-type": "application/json" };

interface List {
  id: number;
  user_id: string;
  name: string;
  created_at: string;
  updated_at: string;
}

const post = (user: TestUser, json: unknown) => api("POST", "/api/lists", { token: user.token, json });
const postRaw = (user: TestUser, body: string) => api("POST", "/api/lists", { token: user.token, body, headers: JSON_HEADERS });
const list = (user: TestUser, query = "") => api("GET", `/api/lists${query}`, { token: user.token });
const rename = (user: TestUser, id: number, name: string) => api("PATCH", `/api/lists/${id}`, { token: user.token, json: { name } });
const remove = (user: TestUser, id: number) => api("DELETE", `/api/lists/${id}`, { token: user.token });

/** The contract's order: by name ignoring case, compared by code point (UTF-8 bytes), then id. */
function byName(a: { id: number; name: string }, b: { id: number; name: string }) {
  return Buffer.compare(Buffer.from(a.name.toLowerCase()), Buffer.from(b.name.toLowerCase())) || a.id - b.id;
}

/** Every list of the user, walking pages of `limit`. */
async function walk(user: TestUser, limit: number): Promise<List[]> {
  const items: List[] = [];
  let cursor: string | null = null;
  for (let pages = 0; ; pages++) {
    expect(pages, "more than 200 pages").toBeLessThan(200);
    const response: ApiResponse = await list(user, `?limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
    expect(response.status, response.text).toBe(200);
    expect(response.body.items.length).toBeLessThanOrEqual(limit);
    items.push(...response.body.items);
    cursor = response.body.next_cursor;
    if (cursor === null) return items;
    expect(response.body.items).toHaveLength(limit);
  }
}

function expectList(body: any, user: TestUser, name: string) {
  expect(Object.keys(body).sort()).toEqual(["created_at", "id", "name", "updated_at", "user_id"]);
  expect(Number.isInteger(body.id) && body.id > 0).toBe(true);
  expect(body.user_id).toBe(user.id);
  expect(body.name).toBe(name);
  expect(body.created_at).toMatch(TIMESTAMP);
  expect(body.updated_at).toMatch(TIMESTAMP);
  expect(Math.abs(Date.parse(body.created_at) - Date.now())).toBeLessThan(5 * 60_000);
  expect(Date.parse(body.updated_at)).toBeGreaterThanOrEqual(Date.parse(body.created_at));
}

describe("POST /api/lists", () => {
  let user: TestUser;
  beforeAll(async () => {
    user = await signUp("Lister");
  });

  it("creates a list: 201, Location, the List, and it reads back the same", async () => {
    const response = await post(user, { name: "Groceries" });
    expect(response.status, response.text).toBe(201);
    expect(response.headers.get("content-type")).toContain("application/json");
    expectList(response.body, user, "Groceries");
    expect(response.headers.get("location")).toBe(`/api/lists/${response.body.id}`);
    const read = await api("GET", response.headers.get("location")!, { token: user.token });
    expect(read.status).toBe(200);
    expect(read.body).toEqual(response.body);
  });

  it("stores the name trimmed", async () => {
    const response = await post(user, { name: " \t Trimmed list \n " });
    expect(response.status, response.text).toBe(201);
    expect(response.body.name).toBe("Trimmed list");
  });

  it("accepts 100 code points (100 emoji, 200 UTF-16 units) and 100 ASCII characters, stored intact", async () => {
    for (const name of [EMOJI.repeat(100), "n".repeat(100)]) {
      const response = await post(user, { name });
      expect(response.status, response.text).toBe(201);
      expect(response.body.name).toBe(name);
      expect((await api("GET", `/api/lists/${response.body.id}`, { token: user.token })).body.name).toBe(name);
    }
  });

  it("accepts a one-character name", async () => {
    expect((await post(user, { name: "x" })).status).toBe(201);
  });

  it.each([
    ["101 characters", "m".repeat(101)],
    ["101 emoji (code points are counted)", EMOJI.repeat(101)],
    ["empty", ""],
    ["whitespace only", " \t\n "],
    ["containing U+0000", "nul\u0000name"],
    ["null", null],
    ["a number", 42],
    ["a boolean", true],
    ["an array", ["name"]],
    ["an object", { text: "name" }],
  ])("rejects a name that is %s", async (_, name) => {
    expectValidation(await post(user, { name }), "name");
  });

  it("rejects a missing name and an empty body", async () => {
    expectValidation(await post(user, {}), "name");
  });

  it("rejects a lone surrogate with 400, not 500", async () => {
    expectValidation(await postRaw(user, '{"name":"\\ud800"}'), "name");
  });

  it.each([
    ["id", 123],
    ["user_id", "someone-else"],
    ["created_at", "2020-01-01T00:00:00.000Z"],
    ["updated_at", "2020-01-01T00:00:00.000Z"],
    ["Name", "wrong case"],
  ])("rejects the field %s and creates nothing", async (field, value) => {
    const fresh = await signUp();
    expectValidation(await post(fresh, { name: "valid", [field]: value }), field);
    expect((await list(fresh)).body.items).toEqual([]);
  });

  describe("names are unique per user regardless of case", () => {
    it("answers 409 LIST_NAME_TAKEN for the same name, in any case, and after trimming; creates nothing", async () => {
      const owner = await signUp();
      const original = await createList(owner, "Work Stuff");
      for (const name of ["Work Stuff", "work stuff", "WORK STUFF", "wORK sTUFF", "  Work Stuff  "]) {
        expectError(await post(owner, { name }), 409, "LIST_NAME_TAKEN");
      }
      expect((await list(owner)).body.items).toEqual([original]);
    });

    it("treats non-ASCII letters that differ only in case as the same name", async () => {
      const owner = await signUp();
      await createList(owner, "Äpfel und Öl");
      expectError(await post(owner, { name: "äpfel und öl" }), 409, "LIST_NAME_TAKEN");
      await createList(owner, "ΣΟΦΊΑ");
      expectError(await post(owner, { name: "σοφία" }), 409, "LIST_NAME_TAKEN");
    });

    it("lets another user have the same name", async () => {
      const [alice, bob] = [await signUp(), await signUp()];
      await createList(alice, "Shared Name");
      const response = await post(bob, { name: "shared name" });
      expect(response.status, response.text).toBe(201);
      expect(response.body.user_id).toBe(bob.id);
    });

    it("frees the name when the list is deleted", async () => {
      const owner = await signUp();
      const first = await createList(owner, "Reusable");
      expect((await remove(owner, first.id)).status).toBe(204);
      const again = await post(owner, { name: "REUSABLE" });
      expect(again.status, again.text).toBe(201);
      expect(again.body.id).not.toBe(first.id);
    });

    it("a name that differs in inner whitespace or punctuation is another name", async () => {
      const owner = await signUp();
      await createList(owner, "to do");
      for (const name of ["todo", "to  do", "to-do", "to do!"]) expect((await post(owner, { name })).status).toBe(201);
    });

    it("of 10 parallel creates of one name in different cases, exactly one succeeds and the rest answer 409", async () => {
      for (let round = 0; round < 3; round++) {
        const owner = await signUp();
        const base = `parallel name ${round}`;
        const names = Array.from({ length: 10 }, (_, i) =>
          [...base].map((char, j) => ((i >> j % 4) & 1 ? char.toUpperCase() : char)).join("") + (i === 9 ? "  " : ""),
        );
        const responses = await Promise.all(names.map((name) => post(owner, { name })));
        const created = responses.filter((response) => response.status === 201);
        expect(created, responses.map((response) => `${response.status} ${response.text}`).join("\n")).toHaveLength(1);
        for (const response of responses) if (response.status !== 201) expectError(response, 409, "LIST_NAME_TAKEN");
        expect((await list(owner)).body.items).toEqual([created[0]!.body]);
      }
    });
  });
});

describe("GET /api/lists", () => {
  it("answers only the caller's lists, as full Lists", async () => {
    const [alice, bob, carol] = [await signUp(), await signUp(), await signUp()];
    const aliceLists = [await createList(alice, "alpha"), await createList(alice, "beta")];
    const bobLists = [await createList(bob, "alpha"), await createList(bob, "gamma")];
    expect((await list(alice)).body).toEqual({ items: aliceLists, next_cursor: null });
    expect((await list(bob)).body).toEqual({ items: bobLists, next_cursor: null });
    expect((await list(carol)).body).toEqual({ items: [], next_cursor: null });
    for (const item of (await list(alice, "?limit=1")).body.items) expect(item.user_id).toBe(alice.id);
  });

  it("orders by name ignoring case, not by creation", async () => {
    const user = await signUp();
    const names = ["banana", "Apple", "cherry", "apricot", "Banana split", "_under", "Zebra", "10", "9", "a", "B"];
    const created: List[] = [];
    for (const name of names) created.push(await createList(user, name));
    const expected = [...created].sort(byName);
    expect(expected.map((item) => item.name)).toEqual(["10", "9", "_under", "a", "Apple", "apricot", "B", "banana", "Banana split", "cherry", "Zebra"]);
    expect((await list(user)).body.items).toEqual(expected);
    for (const limit of [1, 2, 4]) expect(await walk(user, limit)).toEqual(expected);
  });

  it("pages 51 lists as 50 by default, then 1", async () => {
    const user = await signUp();
    const created: List[] = [];
    for (let i = 0; i < 51; i++) created.push(await createList(user, `list ${String(i).padStart(2, "0")}`));
    const first = await list(user);
    expect(first.body.items).toEqual(created.slice(0, 50));
    expect(typeof first.body.next_cursor).toBe("string");
    const second = await list(user, `?cursor=${encodeURIComponent(first.body.next_cursor)}`);
    expect(second.body).toEqual({ items: created.slice(50), next_cursor: null });
  });

  it("matches the order computed in JS for random names and page sizes", async () => {
    const random = seededRandom(TEST_SEED);
    const user = await signUp();
    const alphabet = [..."abcXYZ qQ019-_.~", "日", "€", EMOJI];
    const taken = new Set<string>();
    const created: List[] = [];
    while (created.length < 30) {
      const name = Array.from({ length: random.int(1, 10) }, () => random.pick(alphabet)).join("").trim();
      if (!name || taken.has(name.toLowerCase())) continue;
      taken.add(name.toLowerCase());
      created.push(await createList(user, random.chance(0.3) ? `  ${name} ` : name));
    }
    const expected = [...created].sort(byName);
    for (let i = 0; i < 4; i++) {
      const limit = random.int(1, 9);
      expect(await walk(user, limit), `seed ${TEST_SEED}, limit ${limit}`).toEqual(expected);
    }
  });

  it("refuses a cursor from GET /api/tasks, and a lists cursor on GET /api/tasks", async () => {
    const user = await signUp();
    for (const name of ["one", "two"]) await createList(user, name);
    for (const title of ["one", "two"]) await createTask(user, { title });
    const listCursor = (await list(user, "?limit=1")).body.next_cursor as string;
    const taskCursor = (await api("GET", "/api/tasks?limit=1", { token: user.token })).body.next_cursor as string;
    expectValidation(await list(user, `?cursor=${encodeURIComponent(taskCursor)}`), "cursor");
    expectValidation(await api("GET", `/api/tasks?cursor=${encodeURIComponent(listCursor)}`, { token: user.token }), "cursor");
  });

  describe("keyset paging while lists are created, renamed and deleted between pages", () => {
    /**
     * Walks pages of `limit`, calling `between` after each page but the last. Checks the
     * contract: no list twice (renamed ones included), every list unchanged throughout exactly
     * once, and no list deleted before its page.
     */
    async function walkWhileChanging(
      user: TestUser,
      limit: number,
      original: List[],
      between: (seen: List[], state: { touched: Set<number>; deleted: Set<number> }) => Promise<void>,
      label: string,
    ) {
      const seen: List[] = [];
      const state = { touched: new Set<number>(), deleted: new Set<number>() };
      const deletedUnseen = new Set<number>();
      let response = await list(user, `?limit=${limit}`);
      seen.push(...response.body.items);
      for (let pages = 0; response.body.next_cursor; pages++) {
        expect(pages).toBeLessThan(100);
        await between(seen, state);
        for (const id of state.deleted) if (!seen.some((item) => item.id === id)) deletedUnseen.add(id);
        response = await list(user, `?limit=${limit}&cursor=${encodeURIComponent(response.body.next_cursor)}`);
        expect(response.status, response.text).toBe(200);
        seen.push(...response.body.items);
      }
      const ids = seen.map((item) => item.id);
      const twice = ids.filter((id, i) => ids.indexOf(id) !== i);
      expect.soft(twice, `${label}: lists seen twice: ${seen.map((item) => `${item.id}:${item.name}`).join(", ")}`).toEqual([]);
      for (const item of original) {
        if (!state.touched.has(item.id) && !state.deleted.has(item.id)) {
          expect.soft(ids, `${label}: list ${item.id} "${item.name}" was unchanged throughout`).toContain(item.id);
        }
      }
      for (const id of deletedUnseen) expect.soft(ids, `${label}: list ${id} was deleted before its page`).not.toContain(id);
    }

    it("unchanged lists appear exactly once while others are created, deleted, and renamed to either side of the cursor", async () => {
      const user = await signUp();
      const original: List[] = [];
      for (let i = 1; i <= 9; i++) original.push(await createList(user, `m0${i}`));
      let round = 0;
      await walkWhileChanging(
        user,
        3,
        original,
        async (seenSoFar, { touched, deleted }) => {
          round++;
          const isLive = (item: List) => !touched.has(item.id) && !deleted.has(item.id);
          const unseen = original.filter((item) => !seenSoFar.some((s) => s.id === item.id) && isLive(item));
          const seenOnes = seenSoFar.filter((item) => original.some((o) => o.id === item.id) && isLive(item));
          // Unseen lists renamed to sort before the cursor (never shown) and further after it (shown once).
          if (unseen[0]) (expect((await rename(user, unseen[0].id, `a renamed unseen ${round}`)).status).toBe(200), touched.add(unseen[0].id));
          if (unseen[1]) (expect((await rename(user, unseen[1].id, `z renamed unseen ${round}`)).status).toBe(200), touched.add(unseen[1].id));
          // A seen list renamed, still sorting before the cursor.
          if (seenOnes[0]) (expect((await rename(user, seenOnes[0].id, `b renamed seen ${round}`)).status).toBe(200), touched.add(seenOnes[0].id));
          // One unseen and one seen list deleted, and new lists on both sides of the cursor.
          if (unseen[2]) (expect((await remove(user, unseen[2].id)).status).toBe(204), deleted.add(unseen[2].id));
          if (seenOnes[1]) (expect((await remove(user, seenOnes[1].id)).status).toBe(204), deleted.add(seenOnes[1].id));
          await createList(user, `a new ${round}`);
          await createList(user, `n new ${round}`);
        },
        "fixed scenario",
      );
    });

    it("a list renamed past the cursor after its page was shown is not shown again", async () => {
      const user = await signUp();
      const [a, b, c, d] = [await createList(user, "a"), await createList(user, "b"), await createList(user, "c"), await createList(user, "d")];
      const first = await list(user, "?limit=2");
      expect(first.body.items).toEqual([a, b]);
      expect((await rename(user, a.id, "z")).status).toBe(200);
      const second = await list(user, `?limit=2&cursor=${encodeURIComponent(first.body.next_cursor)}`);
      const rest = [...second.body.items];
      if (second.body.next_cursor) rest.push(...(await list(user, `?limit=2&cursor=${encodeURIComponent(second.body.next_cursor)}`)).body.items);
      const ids = rest.map((item: List) => item.id);
      expect(ids).toEqual(expect.arrayContaining([c.id, d.id]));
      expect(ids, `list ${a.id} (renamed a → z) was already on page 1: ${JSON.stringify(rest.map((item: List) => item.name))}`).not.toContain(a.id);
    });

    it("holds for random renames, creates and deletes between pages", async () => {
      const random = seededRandom(TEST_SEED + 1);
      for (let trial = 0; trial < 3; trial++) {
        const user = await signUp();
        const letters = "abcdefghij";
        const name = () => Array.from({ length: 3 }, () => random.pick([...letters, ...letters.toUpperCase()])).join("") + ` ${random.int(0, 1e6)}`;
        const original: List[] = [];
        for (let i = 0; i < 15; i++) original.push(await createList(user, name()));
        const limit = random.int(2, 4);
        await walkWhileChanging(
          user,
          limit,
          original,
          async (_, { touched, deleted }) => {
            for (let op = random.int(1, 3); op > 0; op--) {
              const live = original.filter((item) => !deleted.has(item.id));
              const target = live.length ? random.pick(live) : undefined;
              const roll = random.next();
              if (roll < 0.4 && target) {
                const response = await rename(user, target.id, name());
                expect(response.status, response.text).toBe(200);
                touched.add(target.id);
              } else if (roll < 0.7 && target) {
                expect((await remove(user, target.id)).status).toBe(204);
                deleted.add(target.id);
              } else {
                await createList(user, name());
              }
            }
          },
          `seed ${TEST_SEED}, trial ${trial}, limit ${limit}`,
        );
      }
    });
  });
});
