// Hostile input on every endpoint, with fast-check: generated bodies, query strings, path ids
// and headers, sent by user A, by user B, with broken credentials and anonymously. For every
// response: never a 5xx, every 4xx in the envelope (detail, error_code, X-Error-Code equal to
// it, request_id equal to X-Request-Id), and the answer the contract gives wherever the input
// pins it down. Throughout, a model of each user's tasks is kept from the app's own 2xx answers
// only; after every run the database must hold exactly that: a user's tasks change only through
// that user's own successful writes.
//
// Before any request reads the configuration: the property runs make thousands of writes.
process.env.RATE_LIMIT_WRITES_MAX = "1000000";

import { createHmac, randomBytes, randomUUID } from "node:crypto";
import { and, eq, gt, inArray } from "drizzle-orm";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { sessions as sessionsTable, tasks as tasksTable, users as usersTable } from "@/lib/db/schema";
import { env } from "@/lib/env";
import { taskItem } from "@/lib/tasks/queries";
import { cursorSchema, encodeCursor, scopeOf } from "@/lib/resource/cursor";
import type { Task } from "@/lib/tasks/schema";
import { api, BASE_URL, signUp, type ApiResponse, type TestUser } from "@/test/api";

const MAX_BODY = 64 * 1024;
const INT4_MAX = 2_147_483_647;
const PASSWORD = "correct horse battery staple";
const PROPERTY_TIMEOUT = 120_000;
const COOKIE = "better-auth.session_token";

// ---------------------------------------------------------------------------------------------
// The world: three users and, for each, the tasks their own 2xx answers imply.

type Who = "A" | "B" | "C";
const WHO: Who[] = ["A", "B", "C"];


interface Actor {
  who: Who;
  id: string;
  email: string;
  password: string;
  token: string;
  cookie: string;
  /** The signed token, as in `set-auth-token` and the cookie value. */
  signed: string;
  tasks: Map<number, Task>;
}

const world = {} as Record<Who, Actor>;
/** Ids that existed and were deleted (by their owner's 204). */
const deletedIds: number[] = [];

function actorOf(user: TestUser, who: Who): Actor {
  const signed = decodeURIComponent(user.cookie.slice(user.cookie.indexOf("=") + 1));
  return { who, id: user.id, email: user.email, password: user.password, token: user.token, cookie: user.cookie, signed, tasks: new Map() };
}

/**
 * A new session row for the user, as sign-in would create it, without the password hash that
 * sign-in costs (a few hundred ms each): the properties end sessions often.
 */
async function newSession(userId: string) {
  const token = randomBytes(24).toString("base64url");
  await (await db())
    .insert(sessionsTable)
    .values({ id: randomUUID(), token, userId, expiresAt: new Date(Date.now() + 3_600_000) });
  const signed = `${token}.${createHmac("sha256", env().BETTER_AUTH_SECRET).update(token).digest("base64")}`;
  return { token, signed, cookie: `${COOKIE}=${encodeURIComponent(signed)}` };
}

async function signInAgain(actor: Actor) {
  Object.assign(actor, await newSession(actor.id));
}

async function seed(actor: Actor, count: number) {
  for (let i = 0; i < count; i++) {
    const response = await api("POST", "/api/tasks", {
      token: actor.token,
      json: { title: `${actor.who} seed ${i}`, description: i % 2 ? null : `d${i}`, completed: i % 3 === 0 },
    });
    if (response.status !== 201) throw new Error(`seed failed: ${response.status} ${response.text}`);
    actor.tasks.set(response.body.id, response.body);
  }
}

beforeAll(async () => {
  world.A = actorOf(await signUp("Hostile A"), "A");
  world.B = actorOf(await signUp("Hostile B"), "B");
  world.C = actorOf(await signUp("Hostile C"), "C");
  await seed(world.A, 6);
  await seed(world.B, 3);
});

/**
 * Every user's tasks in the database are exactly the model; every user's session is still
 * there. Read from the database directly (two queries), not through the API under test.
 */
async function verifyWorld(context: string) {
  const database = await db();
  const ids = WHO.map((who) => world[who].id);
  const rows = await database.select({ userId: tasksTable.userId, item: taskItem }).from(tasksTable).where(inArray(tasksTable.userId, ids));
  const problems: string[] = [];
  for (const who of WHO) {
    const actor = world[who];
    const actual = rows
      .filter((row) => row.userId === actor.id)
      .map((row) => JSON.parse(row.item as string) as Task)
      .sort((a, b) => a.id - b.id);
    const expected = [...actor.tasks.values()].sort((a, b) => a.id - b.id);
    if (JSON.stringify(actual) !== JSON.stringify(expected)) {
      problems.push(`user ${who}:\n  database: ${JSON.stringify(actual)}\n  implied by ${who}'s own 2xx writes: ${JSON.stringify(expected)}`);
      // Resynchronized before failing, so that one failure does not cascade into the next tests.
      actor.tasks = new Map(actual.map((task) => [task.id, task]));
    }
  }
  const tokens = WHO.map((who) => world[who].token);
  const live = await database
    .select({ token: sessionsTable.token })
    .from(sessionsTable)
    .where(and(inArray(sessionsTable.token, tokens), gt(sessionsTable.expiresAt, new Date())));
  for (const who of WHO) {
    if (!live.some((row) => row.token === world[who].token)) {
      problems.push(`the session of user ${who} is gone, though ${who} did not sign out`);
      await signInAgain(world[who]);
    }
  }
  if (problems.length) throw new Error(`invariant broken after ${context}:\n${problems.join("\n")}`);
}

// ---------------------------------------------------------------------------------------------
// Generators.

const headerChars = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: 0x20, max: 0x7e }) },
  { weight: 1, arbitrary: fc.integer({ min: 0x80, max: 0xff }) },
  { weight: 1, arbitrary: fc.constant(0x09) },
);
/** Any value a Headers object (and so an HTTP client) can carry: Latin-1 without NUL/CR/LF. */
const headerValue = (maxLength = 40) => fc.string({ unit: headerChars.map((code) => String.fromCharCode(code)), maxLength });

const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((code) => String.fromCharCode(code));

const hostileString = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.string({ unit: "binary", maxLength: 30 }),
  fc.tuple(fc.string({ maxLength: 10 }), loneSurrogate, fc.string({ maxLength: 10 })).map((parts) => parts.join("")),
  fc.tuple(fc.string({ maxLength: 10 }), fc.string({ maxLength: 10 })).map(([a, b]) => `${a}\u0000${b}`),
  fc.constantFrom(
    "", " ", "   ", "\t\n", "\u0000", "\ud800", "\udfff", "\ud83d", "\u{1F600}", "\u202e", "\ufeff", "\u00a0", "null", "true",
    "1e400", "__proto__", "constructor", "<script>alert(1)</script>", "'; drop table tasks; --", "%00", "\\", '"', "😀".repeat(201),
  ),
  fc.constantFrom(199, 200, 201, 999, 1000, 1001, 5000).map((n) => "x".repeat(n)),
  fc.constantFrom(200, 201, 1000, 1001).map((n) => "\u{1F600}".repeat(n)),
);

const hostileNumber = fc.oneof(
  fc.double(),
  fc.integer(),
  fc.constantFrom(0, -0, 1, -1, 1.5, 2 ** 31, 2 ** 31 - 1, 2 ** 53 + 2, Number.MAX_VALUE, Number.MIN_VALUE, 1e308),
);

/** Number literals that JSON.stringify never writes. */
const rawNumber = fc.constantFrom(
  "1e400", "-1e400", "1E+400", "123456789012345678901234567890", "-123456789012345678901234567890", "1e-400",
  "9007199254740993", "0.1e99999", "-0", "0.0000000000000000000000000000001", "1.0", "1E2",
);

const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: hostileString },
  { weight: 2, arbitrary: hostileNumber },
  { weight: 1, arbitrary: fc.boolean() },
  { weight: 1, arbitrary: fc.constant(null) },
  { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 1, arbitrary: fc.array(hostileString, { maxLength: 4 }) },
  { weight: 1, arbitrary: fc.constantFrom("true", "false", "1", "0", "yes") },
);

const PROTO_KEYS = ["__proto__", "constructor", "prototype", "toString", "hasOwnProperty", "valueOf", "__defineGetter__"];
const TASK_KEYS = ["title", "description", "completed"];
const SERVER_KEYS = ["id", "user_id", "created_at", "updated_at", "userId", "ID", "Title", "title ", " title"];
const AUTH_KEYS = ["name", "email", "password", "image", "callbackURL", "rememberMe", "emailVerified", "token", "userId", "role"];

const keyArb = (known: string[]) =>
  fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...known) },
    { weight: 2, arbitrary: fc.constantFrom(...SERVER_KEYS) },
    { weight: 2, arbitrary: fc.constantFrom(...PROTO_KEYS) },
    { weight: 2, arbitrary: fc.string({ maxLength: 8 }) },
    { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 4 }) },
  );

/** JSON text of one value, sometimes with number literals JSON.stringify cannot produce. */
const valueText = fc.oneof(
  { weight: 6, arbitrary: hostileValue.map((value) => JSON.stringify(value) ?? "null") },
  { weight: 2, arbitrary: rawNumber },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 60 }).map((depth) => "[".repeat(depth) + "]".repeat(depth)) },
);

const jsonSpace = fc.constantFrom("", "", "", " ", "\n", "\t", "\r\n  ");

/** An object written as raw text, so keys may repeat and `__proto__` is an ordinary key. */
const rawObject = (known: string[]) =>
  fc
    .tuple(fc.array(fc.tuple(keyArb(known), valueText), { maxLength: 6 }), jsonSpace)
    .map(([entries, space]) => `{${space}${entries.map(([key, value]) => `${JSON.stringify(key)}${space}:${value}`).join(`,${space}`)}${space}}`);

/** A title the contract accepts: trimmed, 1–200 code points, no U+0000, well-formed. */
const validTitle = fc
  .oneof(fc.string({ minLength: 1, maxLength: 60 }), fc.string({ unit: "grapheme-ascii", minLength: 1, maxLength: 200 }), fc.constantFrom("x".repeat(200), "\u{1F600}".repeat(200), "  padded  "))
  .filter((title) => !title.includes("\u0000") && title.isWellFormed() && title.trim().length > 0 && [...title.trim()].length <= 200);
const validDescription = fc.oneof(
  fc.constant(null),
  fc.string({ maxLength: 80 }).filter((text) => !text.includes("\u0000") && text.isWellFormed()),
  fc.constant("\u{1F600}".repeat(1000)),
);

type BodyKind =
  | "valid" | "object" | "json" | "invalid-utf8" | "truncated" | "deep" | "oversize" | "near-limit" | "duplicate" | "proto"
  | "junk" | "empty" | "none" | "bom";

interface Body {
  kind: BodyKind;
  bytes?: Uint8Array;
}

const utf8 = (text: string) => new TextEncoder().encode(text);
const concat = (...parts: Uint8Array[]) => new Uint8Array(Buffer.concat(parts));

/** Bodies print as a short preview in counterexamples, not as a 64 KiB byte array. */
function body(kind: BodyKind, bytes?: Uint8Array): Body {
  return Object.assign({ kind, bytes }, { [fc.toStringMethod]: () => `${kind}:${preview(bytes)}` });
}
const textBody = (kind: BodyKind) => (text: string): Body => body(kind, utf8(text));

const INVALID_UTF8: number[][] = [
  [0xff], [0xfe], [0x80], [0xc0, 0xaf], [0xc1, 0xbf], [0xe0, 0x80, 0xaf], [0xed, 0xa0, 0x80], [0xed, 0xbf, 0xbf],
  [0xe2, 0x82], [0xf0, 0x9f, 0x98], [0xf4, 0x90, 0x80, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xc3, 0x28],
];

const invalidUtf8Body = (field: string) =>
  fc
    .tuple(fc.constantFrom(...INVALID_UTF8), fc.constantFrom("key", "value", "outside"), fc.string({ maxLength: 5 }).map((s) => s.replace(/["\\]/g, "")))
    .map(([sequence, where, pad]): Body => {
      const bad = new Uint8Array(sequence);
      const bytes =
        where === "value"
          ? concat(utf8(`{"${field}":"${pad}`), bad, utf8(`${pad}"}`))
          : where === "key"
            ? concat(utf8(`{"`), bad, utf8(`":"${pad}"}`))
            : concat(utf8(`{"${field}":"${pad}"}`), bad);
      return body("invalid-utf8", bytes);
    });

const deepBody = (field: string) =>
  fc
    .tuple(fc.oneof(fc.integer({ min: 100, max: 20_000 }), fc.constantFrom(5_000, 10_000, 20_000)), fc.constantFrom("array", "object", "mixed", "top-array", "top-object"))
    .map(([depth, shape]): Body => {
      const nested =
        shape === "array" || shape === "top-array"
          ? "[".repeat(depth) + "]".repeat(depth)
          : shape === "mixed"
            ? '[{"a":'.repeat(Math.floor(depth / 2)) + "1" + "}]".repeat(Math.floor(depth / 2))
            : '{"a":'.repeat(Math.min(depth, 10_000)) + "1" + "}".repeat(Math.min(depth, 10_000));
      const text = shape.startsWith("top-") ? nested : `{"${field}":${nested}}`;
      return body("deep", utf8(text));
    });

interface BodyOptions {
  /** How often a valid body comes up (sign-up and sign-in cost a password hash each). */
  validWeight?: number;
  /** Leave out deep nesting (see the mixed property). */
  deep?: boolean;
  /** Only bodies that carry no fields (see the mixed property). */
  fieldless?: boolean;
}

const fieldlessBody = fc.constantFrom(body("none"), body("empty"), textBody("valid")("{}"), textBody("valid")("{ }"));

const bodyArb = (known: string[], valid: fc.Arbitrary<Record<string, unknown>>, field: string, options: BodyOptions = {}): fc.Arbitrary<Body> =>
  fc.oneof(
    { weight: options.validWeight ?? 6, arbitrary: valid.map((value) => textBody("valid")(JSON.stringify(value))) },
    { weight: 6, arbitrary: rawObject(known).map(textBody("object")) },
    { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((value) => textBody("json")(JSON.stringify(value))) },
    { weight: 2, arbitrary: invalidUtf8Body(field) },
    {
      weight: 2,
      arbitrary: fc
        .tuple(valid.map((value) => JSON.stringify(value)), fc.nat())
        .map(([text, cut]) => textBody("truncated")(text.slice(0, cut % text.length))),
    },
    { weight: options.deep === false ? 0 : 1, arbitrary: deepBody(field) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.integer({ min: MAX_BODY + 1, max: MAX_BODY * 3 }), fc.boolean())
        .map(([size, valid]): Body => {
          const prefix = valid ? `{"${field}":"` : "";
          return body("oversize", utf8(prefix + "a".repeat(size - prefix.length - (valid ? 2 : 0)) + (valid ? '"}' : "")));
        }),
    },
    {
      weight: 1,
      arbitrary: fc.integer({ min: MAX_BODY - 40, max: MAX_BODY }).map((size): Body => {
        const prefix = `{"${field}":"`;
        return body("near-limit", utf8(prefix + "a".repeat(size - prefix.length - 2) + '"}'));
      }),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.constantFrom(...known), valueText, valueText)
        .map(([key, first, second]) => textBody("duplicate")(`{${JSON.stringify(key)}:${first},${JSON.stringify(key)}:${second}}`)),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.constantFrom('"__proto__"', '"\\u005f_proto__"'), valueText, valid)
        .map(([key, value, rest]) => textBody("proto")(`{${key}:${value},${JSON.stringify(rest).slice(1)}`)),
    },
    {
      weight: 1,
      arbitrary: fc.oneof(
        fc.uint8Array({ maxLength: 64 }).map((bytes) => body("junk", bytes)),
        fc.string({ maxLength: 40 }).map(textBody("junk")),
        fc.constantFrom("{'title':'x'}", '{"title":"a"}{"title":"b"}', '{"title":"a",}', '{"title":"a"/*c*/}', "{title:1}", '{"title":NaN}', '{"title":Infinity}', "undefined", "{", "}", '"', "nul", '{"title":"\\x41"}', '{"title":"\\u12"}').map(textBody("junk")),
      ),
    },
    { weight: 1, arbitrary: fc.constantFrom(body("empty", new Uint8Array()), body("none")) },
    { weight: 1, arbitrary: valid.map((value) => textBody("bom")(`\ufeff${JSON.stringify(value)}`)) },
  );

const validCreate = fc.record(
  { title: validTitle, description: validDescription, completed: fc.boolean() },
  { requiredKeys: ["title"] },
);
const validPatch = fc
  .record({ title: validTitle, description: validDescription, completed: fc.boolean() }, { requiredKeys: [] })
  .filter((patch) => Object.keys(patch).length > 0);
const validSignUp = fc.record({
  name: fc.string({ unit: "grapheme-ascii", minLength: 1, maxLength: 30 }).filter((name) => name.trim().length > 0),
  email: fc.uuid().map((uuid) => `hostile-${uuid}@example.com`),
  password: fc.string({ unit: "grapheme-ascii", minLength: 8, maxLength: 64 }),
});
/** Sign-in with a real user's email; the password is right only sometimes. */
const signInBody = fc
  .tuple(fc.constantFrom<Who>("A", "B", "C"), fc.boolean(), fc.constantFrom((e: string) => e, (e: string) => e.toUpperCase(), (e: string) => ` ${e} `))
  .map(([who, right, spell]) => ({ who, right, spell }));

type ContentTypeClass = "json" | "not-json" | "ambiguous";
interface ContentType {
  value: string | null;
  class: ContentTypeClass;
}
const contentTypeArb: fc.Arbitrary<ContentType> = fc.oneof(
  { weight: 8, arbitrary: fc.constant<ContentType>({ value: "application/json", class: "json" }) },
  {
    weight: 2,
    arbitrary: fc
      .constantFrom("application/json; charset=utf-8", "Application/JSON", "APPLICATION/JSON;CHARSET=UTF-8", "application/json ; charset=utf-8")
      .map((value): ContentType => ({ value, class: "json" })),
  },
  {
    weight: 2,
    arbitrary: fc
      .constantFrom(null, "", "text/plain", "text/plain;charset=UTF-8", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/jsonp", "text/json", "application/json-patch+json", "application/vnd.api+json", "*/*", "application/xml", "json", "application")
      .map((value): ContentType => ({ value, class: "not-json" })),
  },
  {
    weight: 1,
    arbitrary: fc
      .oneof(fc.constantFrom("application/json;charset=latin1", "application/json, text/plain", "application/json;;;", "application/json\t", "application/json;charset"), headerValue())
      .map((value): ContentType => ({ value, class: "ambiguous" })),
  },
);

type Origin = "own" | "none" | "untrusted" | "odd";
const originArb = fc.oneof(
  { weight: 3, arbitrary: fc.constant({ kind: "own" as Origin, value: BASE_URL }) },
  { weight: 1, arbitrary: fc.constant({ kind: "none" as Origin, value: null }) },
  {
    weight: 2,
    arbitrary: fc
      .constantFrom("http://evil.example", "null", "http://localhost:3000.evil.example", "http://localhost:3001", "http://evil.example:3000", "file://", "http://127.0.0.1:3000")
      .map((value) => ({ kind: "untrusted" as Origin, value: value as string | null })),
  },
  // Same host under another spelling or scheme (a TLS-terminating proxy makes https and http one server).
  {
    weight: 1,
    arbitrary: fc
      .oneof(fc.constantFrom("HTTP://LOCALHOST:3000", "http://localhost:3000/", "http://localhost:3000 ", "https://localhost:3000"), headerValue())
      .map((value) => ({ kind: "odd" as Origin, value: value as string | null })),
  },
);

const whoArb = fc.constantFrom<Who>("A", "B");
const garbageAuthorization = fc.oneof(
  headerValue(60),
  headerValue(60).map((value) => `Bearer ${value}`),
  fc.constantFrom(
    "Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "Bearer null", "Bearer undefined", `Bearer ${"x".repeat(5000)}`, "Bearer a.b", "Bearer %",
    "Bearer %E0%A4%A", "Bearer ../../", "Bearer ' or 1=1 --", 'Digest username="x"', "Bearer ,", "Negotiate YII=", "Bearer =",
  ),
);
const garbageCookie = fc.oneof(
  headerValue(60),
  headerValue(60).map((value) => `${COOKIE}=${value}`),
  headerValue(60).map((value) => `__Secure-${COOKIE}=${value}`),
  fc.constantFrom(";;;", "=", COOKIE, `${COOKIE}=`, `${COOKIE}=%`, `${COOKIE}=%E0%A4%A.x`, `${COOKIE}=a.b`, `${COOKIE}=.`, `a=1; ${COOKIE}; b=2`),
);

type Cred =
  | { kind: "bearer"; who: Who }
  | { kind: "bearer-signed"; who: Who; encoded: boolean }
  | { kind: "bearer-variant"; who: Who; scheme: string; suffix: string }
  | { kind: "cookie"; who: Who; origin: { kind: Origin; value: string | null } }
  | { kind: "mixed"; first: Who; second: Who; shape: "bearer+cookie" | "two-cookies" | "secure+plain" }
  | { kind: "forged"; who: Who; as: "cookie" | "bearer" | "unsigned-cookie" }
  | { kind: "garbage"; authorization: string | null; cookie: string | null }
  | { kind: "none" };

const credArb: fc.Arbitrary<Cred> = fc.oneof(
  { weight: 8, arbitrary: fc.record({ kind: fc.constant("bearer" as const), who: whoArb }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("bearer-signed" as const), who: whoArb, encoded: fc.boolean() }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("bearer-variant" as const),
      who: whoArb,
      scheme: fc.constantFrom("bearer ", "BEARER ", "Bearer   ", "Bearer\t", "Bearer:", "Token ", "Bearer Bearer ", "Bearer\u00a0"),
      suffix: fc.constantFrom("", " ", "x", "%00", ".", "=", ",", "%20", ".sig"),
    }),
  },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("cookie" as const), who: whoArb, origin: originArb }) },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant("mixed" as const), first: whoArb, second: whoArb, shape: fc.constantFrom("bearer+cookie" as const, "two-cookies" as const, "secure+plain" as const) }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("forged" as const), who: whoArb, as: fc.constantFrom("cookie" as const, "bearer" as const, "unsigned-cookie" as const) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("garbage" as const), authorization: fc.option(garbageAuthorization), cookie: fc.option(garbageCookie) }) },
  { weight: 2, arbitrary: fc.constant({ kind: "none" as const }) },
);

interface ResolvedCred {
  headers: Record<string, string>;
  /** Users whose session this request could legitimately act as. Empty: nobody. */
  owners: Set<Who>;
  /** Exactly one user, in the standard form: the contract says what must happen. */
  clean?: Who;
  /** Cookie-authenticated, and from where. */
  cookieOrigin?: Origin;
}

const forge = (token: string) => `${token}.${createHmac("sha256", "not-the-secret-not-the-secret-not-the-secret").update(token).digest("base64")}`;

function resolveCred(cred: Cred): ResolvedCred {
  switch (cred.kind) {
    case "bearer":
      return { headers: { authorization: `Bearer ${world[cred.who].token}` }, owners: new Set([cred.who]), clean: cred.who };
    case "bearer-signed": {
      const signed = world[cred.who].signed;
      return { headers: { authorization: `Bearer ${cred.encoded ? encodeURIComponent(signed) : signed}` }, owners: new Set([cred.who]), clean: cred.who };
    }
    case "bearer-variant":
      return { headers: { authorization: `${cred.scheme}${world[cred.who].token}${cred.suffix}` }, owners: new Set([cred.who]) };
    case "cookie": {
      const headers: Record<string, string> = { cookie: world[cred.who].cookie };
      if (cred.origin.value !== null) headers.origin = cred.origin.value;
      return { headers, owners: new Set([cred.who]), clean: cred.who, cookieOrigin: cred.origin.kind };
    }
    case "mixed": {
      const [first, second] = [world[cred.first], world[cred.second]];
      const headers: Record<string, string> =
        cred.shape === "bearer+cookie"
          ? { authorization: `Bearer ${first.token}`, cookie: second.cookie, origin: BASE_URL }
          : cred.shape === "two-cookies"
            ? { cookie: `${first.cookie}; ${second.cookie}`, origin: BASE_URL }
            : { cookie: `__Secure-${first.cookie}; ${second.cookie}`, origin: BASE_URL };
      return { headers, owners: new Set([cred.first, cred.second]) };
    }
    case "forged": {
      const actor = world[cred.who];
      const headers: Record<string, string> =
        cred.as === "bearer"
          ? { authorization: `Bearer ${encodeURIComponent(forge(actor.token))}` }
          : cred.as === "cookie"
            ? { cookie: `${COOKIE}=${encodeURIComponent(forge(actor.token))}`, origin: BASE_URL }
            : { cookie: `${COOKIE}=${actor.token}`, origin: BASE_URL };
      return { headers, owners: new Set() };
    }
    case "garbage": {
      const headers: Record<string, string> = {};
      if (cred.authorization !== null) headers.authorization = cred.authorization;
      if (cred.cookie !== null) headers.cookie = cred.cookie;
      return { headers, owners: new Set() };
    }
    case "none":
      return { headers: {}, owners: new Set() };
  }
}

const requestIdArb = fc.oneof(
  fc.uuid(),
  headerValue(60),
  fc.stringMatching(/^[A-Za-z0-9._:-]{8,128}$/),
  fc.constantFrom("", "short", "a".repeat(129), "a".repeat(128), "../../etc/passwd", "<script>alert(1)</script>", "id with spaces", "\u00ff\u00fe-latin1-id", "${jndi:ldap://x}", "1".repeat(5000)),
);

const extraHeaderName = fc.oneof(
  fc.constantFrom(
    "x-forwarded-host", "x-real-ip", "accept", "accept-encoding", "accept-language", "user-agent", "x-http-method-override",
    "x-forwarded-proto", "forwarded", "if-none-match", "range", "referer", "x-csrf-token", "x-middleware-subrequest", "x-invoke-path",
    "transfer-encoding", "expect", "te", "x-nextjs-data", "rsc", "next-router-state-tree",
  ),
  fc.stringMatching(/^x-[a-z0-9-]{1,12}$/),
);

interface Extra {
  requestId?: string;
  contentLength?: string;
  forwardedFor: string;
  misc: [string, string][];
}

const extraArb: fc.Arbitrary<Extra> = fc.record(
  {
    requestId: requestIdArb,
    contentLength: fc.constantFrom("0", "1", "-1", "abc", "99999999", String(MAX_BODY + 1), "1e3", " 5", "18446744073709551616"),
    forwardedFor: fc.oneof({ weight: 6, arbitrary: fc.ipV4() }, { weight: 1, arbitrary: headerValue(30) }, { weight: 1, arbitrary: fc.ipV6() }),
    misc: fc.array(fc.tuple(extraHeaderName, headerValue()), { maxLength: 3 }),
  },
  { requiredKeys: ["forwardedFor", "misc"] },
);

// Path ids: anything a client can put in the segment, as it arrives after URL parsing.
const idSegmentConstants = [
  "0", "-1", "1.5", "2147483647", "2147483648", "4294967296", "9999999999", "99999999999", "1e3", "0x10", "+1", "01", "00042", "1%20",
  "%201", "Infinity", "NaN", "null", "undefined", "true", "%5B%5D", "%7B%7D", "1,2", "1;2", "..%2F..%2Fhealth", "1%2F2", "1%2f..", "%00",
  "1%00", "%E2%80%AE1", "%EF%BC%91", "%D9%A1", "%F0%9D%9F%8F", "..%2F", "...", "%2e%2e%2fhealth", "%25", "%2525", "123456789012345678901234567890",
  "1e400", "%E2%80%8B1", "1%0A", "%09", "~1", "$1", "1'", "'1'", "1%22", "*", "%2A",
];

const idSegmentArb = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...idSegmentConstants) },
  { weight: 2, arbitrary: fc.string({ minLength: 1, maxLength: 20 }).filter((s) => s.isWellFormed()).map((s) => encodeURIComponent(s)) },
  { weight: 1, arbitrary: fc.string({ unit: "binary", minLength: 1, maxLength: 8 }).map((s) => encodeURIComponent(s)) },
  { weight: 2, arbitrary: fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }).map(String) },
  { weight: 2, arbitrary: fc.integer({ min: 1, max: INT4_MAX }).map(String) },
  // "." and ".." are dot segments: the URL resolves them away, to another route (the collection).
).filter((segment) => segment !== "." && segment !== "..");

type IdRef = { kind: "task"; of: Who; n: number } | { kind: "deleted"; n: number } | { kind: "segment"; segment: string };
const idRefArb: fc.Arbitrary<IdRef> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant("task" as const), of: whoArb, n: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("deleted" as const), n: fc.nat() }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant("segment" as const), segment: idSegmentArb }) },
);

function resolveId(ref: IdRef): string {
  if (ref.kind === "segment") return ref.segment;
  if (ref.kind === "deleted") return deletedIds.length ? String(deletedIds[ref.n % deletedIds.length]) : "2147483646";
  const ids = [...world[ref.of].tasks.keys()];
  return ids.length ? String(ids[ref.n % ids.length]) : deletedIds.length ? String(deletedIds[0]) : "2147483645";
}

// Query strings: known and unknown keys, repeated keys, percent-encoding garbage.
const PERCENT_GARBAGE = ["%", "%%", "%ZZ", "%E0%A4%A", "%ED%A0%80", "%00", "%C0%AF", "%FF", "%2", "+", "%2B", "%20", "%u0031", "&", "=", "%3D"];
const queryKey = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom("limit", "completed", "cursor") },
  { weight: 1, arbitrary: fc.constantFrom("Limit", "LIMIT", "limit[]", "limit%20", "__proto__", "constructor", "toString", "hasOwnProperty", "user_id", "offset", "") },
  { weight: 1, arbitrary: fc.string({ maxLength: 6 }).filter((s) => s.isWellFormed()).map(encodeURIComponent) },
);
const queryValue = fc.oneof(
  { weight: 3, arbitrary: fc.integer({ min: 1, max: 100 }).map(String) },
  { weight: 2, arbitrary: fc.constantFrom("true", "false") },
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.integer({ min: 1, max: INT4_MAX }), fc.constantFrom(undefined, true, false))
      .map(([id, completed]) => encodeCursor({ scope: scopeOf({ completed, sort: "created" }), values: [id] })),
  },
  {
    weight: 4,
    arbitrary: fc.constantFrom(
      "0", "101", "-1", "1.5", "abc", "", "1e2", "0x10", "%205", "5%20", "%D9%A1", "999", "1000", "100000000000000000000", "yes", "1", "TRUE",
      "True", "null", "true%20", "NDI%3D", "MA", "LTE", "MDE", "MjE0NzQ4MzY0OA", "%%%", "NDI.", "N%44I", "\u0000", "%2F", "[]", "{}", "1e400",
    ),
  },
  { weight: 2, arbitrary: fc.constantFrom(...PERCENT_GARBAGE) },
  { weight: 2, arbitrary: fc.string({ maxLength: 12 }).filter((s) => s.isWellFormed()).map(encodeURIComponent) },
  { weight: 1, arbitrary: fc.string({ unit: "grapheme-ascii", maxLength: 12 }).map((s) => s.replace(/[#]/g, "")) },
);
const queryArb = fc
  .tuple(fc.array(fc.tuple(queryKey, queryValue, fc.constantFrom("=", "=", "=", "", "==")), { maxLength: 5 }), fc.constantFrom("&", "&", "&&", ";", "&amp;"))
  .map(([pairs, separator]) => pairs.map(([key, value, eq]) => (eq === "" ? key : `${key}${eq}${value}`)).join(separator));

const isCanonicalId = (value: string) => /^[1-9][0-9]*$/.test(value) && value.length <= 10 && Number(value) <= INT4_MAX;

/** A cursor this API made for a list with this `completed` filter (lib/resource/cursor.ts). */
function isValidCursor(cursor: string, completed: string | undefined) {
  const parsed = cursorSchema.safeParse(cursor);
  if (!parsed.success) return false;
  const { scope, values } = parsed.data;
  const filter = completed === "true" ? true : completed === "false" ? false : undefined;
  return scope === scopeOf({ completed: filter, sort: "created" }) && values.length === 1 && typeof values[0] === "number" && isCanonicalId(String(values[0]));
}

/** What the contract says about a query: valid, invalid, or not pinned down. */
function classifyQuery(search: URLSearchParams): { class: "valid" | "invalid" | "ambiguous"; limit: number } {
  const keys = [...search.keys()];
  let limit = 50;
  const known = ["limit", "completed", "cursor"];
  let verdict: "valid" | "invalid" = "valid";
  for (const key of known) {
    const values = search.getAll(key);
    if (values.length > 1) return { class: "ambiguous", limit };
    if (values.length === 0) continue;
    const value = values[0]!;
    if (key === "limit") {
      if (/^[1-9][0-9]{0,2}$/.test(value) && Number(value) <= 100) limit = Number(value);
      else if (/^0[0-9]+$/.test(value) && Number(value) >= 1 && Number(value) <= 100) return { class: "ambiguous", limit };
      else verdict = "invalid";
    }
    if (key === "completed" && value !== "true" && value !== "false") verdict = "invalid";
    if (key === "cursor" && !isValidCursor(value, search.get("completed") ?? undefined)) verdict = "invalid";
  }
  if (verdict === "invalid") return { class: "invalid", limit };
  if (keys.some((key) => !known.includes(key))) return { class: "ambiguous", limit };
  return { class: "valid", limit };
}

// ---------------------------------------------------------------------------------------------
// One hostile request, its checks, and what it does to the model.

type Endpoint = "health" | "list" | "create" | "get" | "put" | "patch" | "delete" | "sign-up" | "sign-in" | "sign-out";
const TASK_ENDPOINTS: Endpoint[] = ["list", "create", "get", "put", "patch", "delete"];
const ID_ENDPOINTS: Endpoint[] = ["get", "put", "patch", "delete"];
const WRITE_ENDPOINTS: Endpoint[] = ["create", "put", "patch", "delete"];
const BODY_ENDPOINTS: Endpoint[] = ["create", "put", "patch", "sign-up", "sign-in", "sign-out"];

const METHOD: Record<Endpoint, string> = {
  health: "GET", list: "GET", create: "POST", get: "GET", put: "PUT", patch: "PATCH", delete: "DELETE",
  "sign-up": "POST", "sign-in": "POST", "sign-out": "POST",
};

interface Spec {
  endpoint: Endpoint;
  cred: Cred;
  id?: IdRef;
  query?: string;
  body?: Body;
  /** For sign-in: a real user's email, with the right or a wrong password. */
  signIn?: { who: Who; right: boolean; spell: (email: string) => string };
  contentType: ContentType;
  extra: Extra;
}

interface Sent {
  method: string;
  path: string;
  headers: Headers;
  bytes?: Uint8Array;
}

function preview(bytes: Uint8Array | undefined) {
  if (!bytes) return "(no body)";
  const text = Buffer.from(bytes).toString("utf8");
  const shown = text.length > 300 ? `${text.slice(0, 300)}… (${bytes.byteLength} bytes)` : text;
  return JSON.stringify(shown);
}

function describeRequest(sent: Sent) {
  const headers = Object.fromEntries([...sent.headers].map(([name, value]) => [name, value.length > 120 ? `${value.slice(0, 120)}…` : value]));
  return `${sent.method} ${sent.path}\n  headers: ${JSON.stringify(headers)}\n  body: ${preview(sent.bytes)}`;
}

function fail(sent: Sent, response: ApiResponse | undefined, problem: string): never {
  const answer = response ? `${response.status} ${JSON.stringify(Object.fromEntries(response.headers))} ${response.text.slice(0, 500)}` : "(no response)";
  throw new Error(`${problem}\n  request: ${describeRequest(sent)}\n  response: ${answer}`);
}

const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{8,128}$/;

/** Never a 5xx; every error in the envelope; X-Request-Id kept when clearly well-formed, never echoed when not. */
function checkEnvelope(sent: Sent, response: ApiResponse) {
  if (response.status >= 500) fail(sent, response, `5xx answer`);
  const requestId = response.headers.get("x-request-id");
  if (!requestId || !SAFE_REQUEST_ID.test(requestId)) fail(sent, response, "X-Request-Id missing or not well-formed");
  const incoming = sent.headers.get("x-request-id");
  if (incoming && /^[A-Za-z0-9-]{16,64}$/.test(incoming) && requestId !== incoming) fail(sent, response, "a well-formed X-Request-Id was not kept");
  if (response.status >= 400) {
    const body = response.body as Record<string, unknown> | undefined;
    if (typeof body !== "object" || body === null) fail(sent, response, "error body is not a JSON object");
    if (typeof body.detail !== "string" || body.detail.length === 0) fail(sent, response, "error envelope without detail");
    if (typeof body.error_code !== "string" || !/^[A-Z][A-Z_]*$/.test(body.error_code)) fail(sent, response, "error envelope without error_code");
    if (response.headers.get("x-error-code") !== body.error_code) fail(sent, response, "X-Error-Code differs from error_code");
    if (body.request_id !== requestId) fail(sent, response, "error body request_id differs from X-Request-Id");
    if (response.status === 401 && response.headers.get("www-authenticate") !== "Bearer") fail(sent, response, "401 without WWW-Authenticate: Bearer");
  }
}

function expectAnswer(sent: Sent, response: ApiResponse, status: number, code?: string) {
  if (response.status !== status || (code !== undefined && response.body?.error_code !== code)) {
    fail(sent, response, `expected ${status}${code ? ` ${code}` : ""}`);
  }
}

function buildRequest(spec: Spec): { sent: Sent; cred: ResolvedCred } {
  const cred = resolveCred(spec.cred);
  const method = METHOD[spec.endpoint];
  const base =
    spec.endpoint === "health" ? "/api/health"
    : spec.endpoint === "list" || spec.endpoint === "create" ? "/api/tasks"
    : ID_ENDPOINTS.includes(spec.endpoint) ? `/api/tasks/${resolveId(spec.id!)}`
    : `/api/auth/${spec.endpoint}${spec.endpoint === "sign-out" ? "" : "/email"}`;
  const path = spec.query !== undefined ? `${base}?${spec.query}` : base;
  const headers = new Headers();
  for (const [name, value] of spec.extra.misc) headers.set(name, value);
  headers.set("x-forwarded-for", spec.extra.forwardedFor);
  if (spec.extra.requestId !== undefined) headers.set("x-request-id", spec.extra.requestId);
  if (spec.extra.contentLength !== undefined) headers.set("content-length", spec.extra.contentLength);
  for (const [name, value] of Object.entries(cred.headers)) headers.set(name, value);
  let bytes = spec.body?.bytes;
  if (spec.signIn) {
    const actor = world[spec.signIn.who];
    bytes = utf8(JSON.stringify({ email: spec.signIn.spell(actor.email), password: spec.signIn.right ? actor.password : `${actor.password}!` }));
  }
  if (method === "GET") bytes = undefined;
  if (method !== "GET" && spec.contentType.value !== null) headers.set("content-type", spec.contentType.value);
  return { sent: { method, path, headers, bytes }, cred };
}

function parsedBody(bytes: Uint8Array | undefined): Record<string, unknown> | undefined {
  if (!bytes) return undefined;
  try {
    const value: unknown = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
    return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** A 2xx task write must be exactly what the body asked for: nothing coerced, nothing extra. */
function checkWrittenFields(sent: Sent, response: ApiResponse, endpoint: Endpoint, before: Task | undefined) {
  const input = parsedBody(sent.bytes);
  if (!input) fail(sent, response, "2xx for a body that is not a JSON object");
  const extraKeys = Object.keys(input).filter((key) => !TASK_KEYS.includes(key));
  if (extraKeys.length) fail(sent, response, `2xx although the body has unknown fields ${JSON.stringify(extraKeys)}`);
  const task = response.body as Task;
  const full = endpoint !== "patch";
  if ("title" in input || full) {
    if (typeof input.title !== "string") fail(sent, response, "2xx without a string title");
    if (task.title !== input.title.trim()) fail(sent, response, "title is not the trimmed input");
  } else if (task.title !== before?.title) fail(sent, response, "PATCH without title changed the title");
  if ("description" in input) {
    if (input.description !== null && typeof input.description !== "string") fail(sent, response, "2xx with a description of the wrong type");
    if (task.description !== input.description) fail(sent, response, "description is not the input");
  } else if (task.description !== (full ? null : before?.description)) fail(sent, response, "description not reset/kept as the contract says");
  if ("completed" in input) {
    if (typeof input.completed !== "boolean") fail(sent, response, "2xx with a non-boolean completed (coercion)");
    if (task.completed !== input.completed) fail(sent, response, "completed is not the input");
  } else if (task.completed !== (full ? false : before?.completed)) fail(sent, response, "completed not reset/kept as the contract says");
  for (const text of [task.title, task.description ?? ""]) {
    if (text.includes("\u0000") || !text.isWellFormed()) fail(sent, response, "stored text with U+0000 or a lone surrogate");
  }
  if ([...task.title].length > 200 || [...(task.description ?? "")].length > 1000) fail(sent, response, "stored text over the limit");
}

/** The model's view of a task's owner among the given users, if it has the task. */
function ownerIn(owners: Iterable<Who>, id: number): Who | undefined {
  for (const who of owners) if (world[who].tasks.has(id)) return who;
  return undefined;
}

/** What the body alone calls for on create, put and patch: "ok", an error, or unknown. */
function bodyVerdict(spec: Spec): "ok" | { status: number; code?: string } | undefined {
  if (spec.extra.contentLength !== undefined) return undefined;
  if (spec.contentType.class === "not-json") return { status: 415, code: "UNSUPPORTED_MEDIA_TYPE" };
  if (spec.contentType.class !== "json") return undefined;
  const kind = spec.body?.kind ?? "none";
  if (kind === "oversize" || (spec.body?.bytes?.byteLength ?? 0) > MAX_BODY) return { status: 413, code: "PAYLOAD_TOO_LARGE" };
  if (["invalid-utf8", "truncated", "empty", "none"].includes(kind)) return { status: 400, code: "INVALID_JSON" };
  if (kind === "json" && !parsedBody(spec.body?.bytes)) return { status: 400, code: "INVALID_JSON" };
  // A leading byte order mark: RFC 8259 lets a parser ignore it or reject it.
  if (kind === "bom") return undefined;
  if (kind === "deep" || kind === "proto" || kind === "near-limit") return { status: 400 };
  if (kind === "valid") return "ok";
  return undefined;
}

function expectOneOf(sent: Sent, response: ApiResponse, answers: { status: number; code?: string }[]) {
  const matches = answers.some(({ status, code }) => response.status === status && (code === undefined || response.body?.error_code === code));
  if (!matches) fail(sent, response, `expected one of ${answers.map(({ status, code }) => `${status}${code ? ` ${code}` : ""}`).join(", ")}`);
}

/** Everything the contract pins down for task endpoints, given clean credentials. */
function checkTaskContract(spec: Spec, sent: Sent, response: ApiResponse, cred: ResolvedCred) {
  const { endpoint } = spec;
  const isWrite = WRITE_ENDPOINTS.includes(endpoint);
  if (cred.owners.size === 0) return expectAnswer(sent, response, 401, "UNAUTHORIZED");
  if (!cred.clean) return;
  if (cred.cookieOrigin && isWrite) {
    // A proxy's X-Forwarded-Host names the host the browser saw: the origin check follows it.
    if (sent.headers.has("x-forwarded-host") || sent.headers.has("forwarded")) return;
    if (cred.cookieOrigin === "none" || cred.cookieOrigin === "untrusted") return expectAnswer(sent, response, 403, "FORBIDDEN");
    if (cred.cookieOrigin === "odd") return;
  }
  const who = cred.clean;
  if (endpoint === "list") {
    const verdict = classifyQuery(new URL(sent.path, BASE_URL).searchParams);
    if (verdict.class === "valid") expectAnswer(sent, response, 200);
    if (verdict.class === "invalid") expectAnswer(sent, response, 400, "VALIDATION_ERROR");
    return;
  }
  const body = endpoint === "get" || endpoint === "delete" ? "ok" : bodyVerdict(spec);
  const bodyError = body === "ok" || body === undefined ? undefined : body;
  let id: number | undefined;
  if (ID_ENDPOINTS.includes(endpoint)) {
    const segment = decodeURIComponent(new URL(sent.path, BASE_URL).pathname.split("/")[3]!);
    if (isCanonicalId(segment)) id = Number(segment);
    else if (/^0[0-9]*$/.test(segment) && Number(segment) >= 1) return; // leading zeros: 400 or 404
    else if (body === "ok") return expectAnswer(sent, response, 400, "VALIDATION_ERROR");
    else if (bodyError) return expectOneOf(sent, response, [{ status: 400, code: "VALIDATION_ERROR" }, bodyError]);
    else return;
  }
  if (endpoint === "create") {
    if (body === "ok") return expectAnswer(sent, response, 201);
    if (bodyError) return expectOneOf(sent, response, [bodyError]);
    return;
  }
  const owned = id !== undefined && world[who].tasks.has(id);
  const success = [{ status: endpoint === "delete" ? 204 : 200 }];
  // A random If-None-Match may happen to be `*` or the task's ETag: then the answer is 304.
  if (endpoint === "get" && sent.headers.has("if-none-match")) success.push({ status: 304 });
  if (body === "ok") return expectOneOf(sent, response, owned ? success : [{ status: 404, code: "TASK_NOT_FOUND" }]);
  if (bodyError) return expectOneOf(sent, response, owned ? [bodyError] : [bodyError, { status: 404, code: "TASK_NOT_FOUND" }]);
}

/** Checks a task endpoint's answer against the model: it could only see and touch the caller's tasks. */
function checkTaskAnswer(spec: Spec, sent: Sent, response: ApiResponse, cred: ResolvedCred) {
  const { endpoint } = spec;
  const ok = response.status >= 200 && response.status < 300;
  if (!ok) {
    if (response.status === 404 && ID_ENDPOINTS.includes(endpoint) && cred.owners.size === 1) {
      const segment = decodeURIComponent(new URL(sent.path, BASE_URL).pathname.split("/")[3]!);
      if (isCanonicalId(segment) && ownerIn(cred.owners, Number(segment))) {
        // The one possible caller owns the task: 404 only when the credentials were not its session after all.
        if (cred.clean) fail(sent, response, "404 for the caller's own task");
      }
    }
    return;
  }
  if (cred.owners.size === 0) fail(sent, response, "2xx on a task route without valid credentials");
  if (endpoint === "list") {
    const items = response.body.items as Task[];
    let previous = Infinity;
    for (const item of items) {
      const owner = ownerIn(cred.owners, item.id);
      if (!owner) fail(sent, response, `listed task ${item.id} that is not the caller's`);
      if (JSON.stringify(world[owner].tasks.get(item.id)) !== JSON.stringify(item)) fail(sent, response, `listed task ${item.id} differs from its last acknowledged state`);
      if (item.id >= previous) fail(sent, response, "list is not newest first");
      previous = item.id;
    }
    const limit = new URL(sent.path, BASE_URL).searchParams.get("limit");
    if (limit !== null && /^[1-9][0-9]?$|^100$/.test(limit) && items.length > Number(limit)) fail(sent, response, "more items than limit");
    return;
  }
  if (endpoint === "create") {
    const task = response.body as Task;
    const owner = WHO.find((who) => world[who].id === task.user_id);
    if (!owner || !cred.owners.has(owner)) fail(sent, response, "task created for someone other than the caller");
    if (response.headers.get("location") !== `/api/tasks/${task.id}`) fail(sent, response, "Location is not the new task");
    checkWrittenFields(sent, response, endpoint, undefined);
    return;
  }
  const segment = decodeURIComponent(new URL(sent.path, BASE_URL).pathname.split("/")[3]!);
  const id = Number(segment);
  const owner = ownerIn(cred.owners, id);
  if (!owner) fail(sent, response, `${sent.method} succeeded on task ${segment}, which is not the caller's`);
  const before = world[owner].tasks.get(id)!;
  if (endpoint === "delete") return;
  const task = response.body as Task;
  if (task.id !== id || task.user_id !== world[owner].id) fail(sent, response, "answered another task");
  if (endpoint === "get") {
    if (JSON.stringify(task) !== JSON.stringify(before)) fail(sent, response, "GET differs from the last acknowledged state");
    return;
  }
  checkWrittenFields(sent, response, endpoint, before);
  if (task.created_at !== before.created_at) fail(sent, response, "created_at changed");
  if (!(task.updated_at > before.updated_at)) fail(sent, response, "updated_at did not move");
}

async function checkAuthAnswer(spec: Spec, sent: Sent, response: ApiResponse, cred: ResolvedCred) {
  const { endpoint } = spec;
  const kind = spec.body?.kind ?? "none";
  const plain = (cred.owners.size === 0 && spec.cred.kind === "none") || spec.cred.kind === "bearer";
  const proxied = spec.extra.misc.some(([name]) => ["referer", "x-forwarded-host", "x-forwarded-proto", "forwarded"].includes(name));
  const strict = plain && !proxied && spec.extra.contentLength === undefined && spec.contentType.class === "json" && !sent.headers.has("origin");
  if (response.status === 200 && (endpoint === "sign-up" || endpoint === "sign-in")) {
    if (typeof response.body.token !== "string" || !response.body.user?.id) fail(sent, response, "200 without token and user");
    if ("password" in response.body.user) fail(sent, response, "user with a password field");
  }
  if (endpoint === "sign-up") {
    if (response.status === 200) {
      const input = parsedBody(sent.bytes);
      if (!input || typeof input.email !== "string" || response.body.user.email !== input.email.toLowerCase().trim()) {
        fail(sent, response, "signed up a user whose email is not the input's");
      }
      if (response.body.user.emailVerified !== false) fail(sent, response, "sign-up set emailVerified");
    }
    if (strict && spec.contentType.class === "json") {
      if (kind === "oversize" || (sent.bytes?.byteLength ?? 0) > MAX_BODY) expectAnswer(sent, response, 413, "PAYLOAD_TOO_LARGE");
      if (["invalid-utf8", "truncated", "empty", "none"].includes(kind)) expectAnswer(sent, response, 400, "INVALID_JSON");
      if (kind === "valid") expectAnswer(sent, response, 200);
    }
    return;
  }
  if (endpoint === "sign-in") {
    if (response.status === 200) {
      const input = parsedBody(sent.bytes);
      const who = WHO.find((w) => world[w].id === response.body.user.id);
      if (!who || !input || input.password !== world[who].password) fail(sent, response, "signed in without the right password");
    }
    if (spec.signIn && strict) {
      const { who, right, spell } = spec.signIn;
      const trimmed = spell(world[who].email) !== world[who].email && spell(world[who].email).trim() === world[who].email;
      if (right && !trimmed) {
        expectAnswer(sent, response, 200);
        if (response.body.user.id !== world[who].id) fail(sent, response, "signed in as someone else");
      }
      if (!right && !trimmed) expectAnswer(sent, response, 401, "UNAUTHORIZED");
    }
    if (!spec.signIn && strict) {
      if (kind === "oversize" || (sent.bytes?.byteLength ?? 0) > MAX_BODY) expectAnswer(sent, response, 413, "PAYLOAD_TOO_LARGE");
      if (["invalid-utf8", "truncated", "empty", "none"].includes(kind)) expectAnswer(sent, response, 400, "INVALID_JSON");
    }
    return;
  }
  // sign-out: a 200 ends exactly the session it was given, at once.
  if (response.status === 200) {
    for (const who of WHO) {
      const actor = world[who];
      const still = await api("GET", "/api/tasks?limit=1", { token: actor.token });
      if (still.status === 401) {
        if (!cred.owners.has(who)) fail(sent, response, `sign-out ended the session of ${who}, who did not send it`);
        await signInAgain(actor);
      } else if (cred.clean === who && spec.cred.kind === "bearer") {
        fail(sent, response, `sign-out answered 200 but ${who}'s token still works: ${still.status}`);
      }
    }
  }
}

/**
 * What a 2xx task write says happened, applied to the model after the checks (which compare
 * against the model as it was before) even when they fail, so that one failure does not leave
 * the model behind the database for the runs and tests after it.
 */
function record(spec: Spec, sent: Sent, response: ApiResponse): () => void {
  if (response.status < 200 || response.status >= 300 || !WRITE_ENDPOINTS.includes(spec.endpoint)) return () => {};
  const id = spec.endpoint === "create" ? (response.body as Task).id : Number(decodeURIComponent(new URL(sent.path, BASE_URL).pathname.split("/")[3]!));
  const owner = spec.endpoint === "delete" ? WHO.find((who) => world[who].tasks.has(id)) : WHO.find((who) => world[who].id === (response.body as Task).user_id);
  return () => {
    if (!owner) return;
    if (spec.endpoint === "delete") {
      world[owner].tasks.delete(id);
      deletedIds.push(id);
    } else world[owner].tasks.set(id, response.body as Task);
  };
}

async function run(spec: Spec) {
  const { sent, cred } = buildRequest(spec);
  const response = await api(sent.method, sent.path, { headers: Object.fromEntries(sent.headers), body: sent.bytes as BodyInit | undefined });
  const recordAnswer = record(spec, sent, response);
  try {
    await check(spec, sent, cred, response);
  } finally {
    recordAnswer();
  }
  return response;
}

async function check(spec: Spec, sent: Sent, cred: ResolvedCred, response: ApiResponse) {
  checkEnvelope(sent, response);
  if (spec.endpoint === "health") {
    expectAnswer(sent, response, 200);
    if (response.body.status !== "ok") fail(sent, response, "health is not ok");
  } else if (TASK_ENDPOINTS.includes(spec.endpoint)) {
    checkTaskContract(spec, sent, response, cred);
    checkTaskAnswer(spec, sent, response, cred);
  } else {
    await checkAuthAnswer(spec, sent, response, cred);
  }
}

// Spec arbitraries per endpoint.
const bodyFor = (endpoint: Endpoint, options: BodyOptions = {}): fc.Arbitrary<Body> | undefined => {
  switch (endpoint) {
    case "create":
    case "put":
      return bodyArb(TASK_KEYS, validCreate, "title", options);
    case "patch":
      return bodyArb(TASK_KEYS, validPatch, "completed", options);
    case "sign-up":
      return bodyArb(AUTH_KEYS, validSignUp, "name", { validWeight: 2, ...options });
    case "sign-in":
      return bodyArb(AUTH_KEYS, fc.constant({ email: "nobody@example.com", password: "not the password" }), "email", { validWeight: 1, ...options });
    case "sign-out":
      return options.fieldless ? fieldlessBody : bodyArb(AUTH_KEYS, fc.constant({}), "token", options);
    default:
      return undefined;
  }
};

/** sign-out is sent with C's session (or none/garbage), so that A and B keep theirs mostly. */
const signOutCred: fc.Arbitrary<Cred> = fc.oneof(
  fc.constant<Cred>({ kind: "bearer", who: "C" }),
  fc.constant<Cred>({ kind: "bearer-signed", who: "C", encoded: false }),
  originArb.map((origin): Cred => ({ kind: "cookie", who: "C", origin })),
  { weight: 2, arbitrary: credArb },
);

function specArb(endpoint: Endpoint, bodyOptions: BodyOptions = {}): fc.Arbitrary<Spec> {
  const method = METHOD[endpoint];
  return fc.record({
    endpoint: fc.constant(endpoint),
    cred: endpoint === "sign-out" ? signOutCred : credArb,
    id: ID_ENDPOINTS.includes(endpoint) ? idRefArb : fc.constant(undefined),
    query: endpoint === "list" ? queryArb : fc.option(queryArb, { nil: undefined, freq: 4 }),
    body: bodyFor(endpoint, bodyOptions) ?? fc.constant(undefined),
    // A real user's email and password: each costs a password hash, so a third of the runs.
    signIn: endpoint === "sign-in" ? fc.oneof({ weight: 3, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: signInBody }) : fc.constant(undefined),
    contentType: method === "GET" || endpoint === "delete" ? fc.constant<ContentType>({ value: null, class: "not-json" }) : contentTypeArb,
    extra: extraArb,
  }) as fc.Arbitrary<Spec>;
}

async function property(name: string, arb: fc.Arbitrary<Spec[]>, numRuns: number) {
  let runs = 0;
  await fc.assert(
    fc.asyncProperty(arb, async (specs) => {
      runs++;
      for (const spec of specs) await run(spec);
      await verifyWorld(`run ${runs} of "${name}"`);
    }),
    { numRuns },
  );
}

const one = (arb: fc.Arbitrary<Spec>) => arb.map((spec) => [spec]);

// ---------------------------------------------------------------------------------------------

describe("hostile input: properties", () => {
  it("POST /api/tasks: hostile bodies, content types and headers", async () => {
    await property("POST /api/tasks", one(specArb("create")), 100);
  }, PROPERTY_TIMEOUT);

  it("PUT and PATCH /api/tasks/{id}: hostile bodies on own, other and hostile ids", async () => {
    await property("PUT/PATCH", one(fc.oneof(specArb("put"), specArb("patch"))), 100);
  }, PROPERTY_TIMEOUT);

  it("GET /api/tasks: hostile query strings", async () => {
    await property("GET /api/tasks", one(specArb("list")), 80);
  }, PROPERTY_TIMEOUT);

  it("GET and DELETE /api/tasks/{id}: hostile path ids", async () => {
    await property("GET/DELETE", one(fc.oneof(specArb("get"), specArb("delete"))), 80);
  }, PROPERTY_TIMEOUT);

  it("GET /api/health: hostile query strings and headers", async () => {
    await property("GET /api/health", one(specArb("health")), 40);
  }, PROPERTY_TIMEOUT);

  it("POST /api/auth/sign-up/email: hostile bodies", async () => {
    await property("sign-up", one(specArb("sign-up")), 60);
  }, PROPERTY_TIMEOUT);

  it("POST /api/auth/sign-in/email: hostile bodies and real emails with wrong passwords", async () => {
    await property("sign-in", one(specArb("sign-in")), 40);
  }, PROPERTY_TIMEOUT);

  it("POST /api/auth/sign-out: hostile bodies and credentials", async () => {
    await property("sign-out", one(specArb("sign-out")), 50);
  }, PROPERTY_TIMEOUT);

  it("mixed sequences on every endpoint as A, B, broken credentials and nobody: a user's tasks change only through their own 2xx writes", async () => {
    // Deeply nested auth bodies, and sign-out bodies with fields, are left to the sign-up,
    // sign-in and sign-out properties above (the first currently crash the auth routes, the
    // second get a 400 VALIDATION_ERROR that openapi.json does not list for sign-out), so that
    // this one keeps checking the invariant across endpoints.
    const weights: [Endpoint, number][] = [
      ["list", 3], ["create", 4], ["get", 3], ["put", 3], ["patch", 3], ["delete", 3],
      ["health", 1], ["sign-up", 1], ["sign-in", 1], ["sign-out", 1],
    ];
    const anySpec = fc.oneof(
      ...weights.map(([endpoint, weight]) => ({ weight, arbitrary: specArb(endpoint, { deep: TASK_ENDPOINTS.includes(endpoint), fieldless: endpoint === "sign-out" }) })),
    );
    await property("mixed", fc.array(anySpec, { minLength: 1, maxLength: 6 }), 60);
  }, PROPERTY_TIMEOUT);
});

// ---------------------------------------------------------------------------------------------
// The shapes the hardening issue names, one by one.

const JSON_TYPE = { "content-type": "application/json" };

function expectClientError(response: ApiResponse, status: number, code?: string) {
  const problem = `${response.status} ${response.text.slice(0, 300)}`;
  expect(response.status, problem).toBe(status);
  expect(typeof response.body?.detail, problem).toBe("string");
  expect(response.body.detail.length, problem).toBeGreaterThan(0);
  expect(typeof response.body.error_code, problem).toBe("string");
  expect(response.headers.get("x-error-code"), problem).toBe(response.body.error_code);
  if (code) expect(response.body.error_code, problem).toBe(code);
}

describe("hostile input: named shapes", () => {
  let owner: Actor;
  let task: Task;

  beforeAll(async () => {
    owner = actorOf(await signUp("Shapes"), "A");
    const created = await api("POST", "/api/tasks", { token: owner.token, json: { title: "original", description: "kept", completed: false } });
    expect(created.status).toBe(201);
    task = created.body;
  });

  async function unchanged() {
    const response = await api("GET", `/api/tasks/${task.id}`, { token: owner.token });
    expect(response.status).toBe(200);
    expect(response.body).toEqual(task);
    const list = await api("GET", "/api/tasks", { token: owner.token });
    expect(list.body.items).toEqual([task]);
  }

  const taskWrites = () =>
    [
      ["POST", "/api/tasks"],
      ["PUT", `/api/tasks/${task.id}`],
      ["PATCH", `/api/tasks/${task.id}`],
    ] as const;

  const send = (method: string, path: string, body: BodyInit, headers: Record<string, string> = JSON_TYPE) =>
    api(method, path, { token: owner.token, body, headers });

  describe("duplicate keys → 400", () => {
    it.each([
      '{"title":"a","title":"b"}',
      '{"title":"a","completed":true,"completed":false}',
      '{"title":"a","description":null,"description":"x"}',
      '{"title":"a","\\u0074itle":"b"}',
    ])("%s on POST, PUT and PATCH, and nothing changes", async (raw) => {
      for (const [method, path] of taskWrites()) expectClientError(await send(method, path, raw), 400);
      await unchanged();
    });

    it("on sign-up: no account for either email", async () => {
      const [first, second] = [`dup-${randomUUID()}@example.com`, `dup-${randomUUID()}@example.com`];
      const raw = `{"name":"Dup","email":"${first}","email":"${second}","password":"${PASSWORD}"}`;
      expectClientError(await api("POST", "/api/auth/sign-up/email", { body: raw, headers: JSON_TYPE }), 400);
      for (const email of [first, second]) {
        expect((await api("POST", "/api/auth/sign-in/email", { json: { email, password: PASSWORD } })).status).toBe(401);
      }
    });

    it("on sign-in: a wrong password followed by the right one under the same key does not sign in", async () => {
      const raw = `{"email":"${owner.email}","password":"wrong password","password":"${owner.password}"}`;
      expectClientError(await api("POST", "/api/auth/sign-in/email", { body: raw, headers: JSON_TYPE }), 400);
    });

    it("sign-out with a wrongly typed field → 400 VALIDATION_ERROR, and the session stays", async () => {
      const session = await newSession(world.C.id);
      for (const raw of ['{"callbackURL":1}', '{"disableRedirect":"yes"}', '{"state":{}}']) {
        const response = await api("POST", "/api/auth/sign-out", { token: session.token, body: raw, headers: JSON_TYPE });
        expectClientError(response, 400, "VALIDATION_ERROR");
      }
      expect((await api("GET", "/api/tasks", { token: session.token })).status).toBe(200);
    });

    it("on sign-out: the session stays", async () => {
      const session = await newSession(world.C.id);
      const raw = '{"a":1,"a":2}';
      expectClientError(await api("POST", "/api/auth/sign-out", { token: session.token, body: raw, headers: JSON_TYPE }), 400);
      expect((await api("GET", "/api/tasks", { token: session.token })).status).toBe(200);
    });
  });

  describe("__proto__ keys → 400", () => {
    it.each([
      '{"title":"t","__proto__":{"completed":true}}',
      '{"__proto__":{"title":"polluted"},"title":"t"}',
      '{"title":"t","__proto__":null}',
      '{"title":"t","\\u005f_proto__":{}}',
    ])("%s on POST, PUT and PATCH, and nothing changes", async (raw) => {
      for (const [method, path] of taskWrites()) expectClientError(await send(method, path, raw), 400);
      await unchanged();
      expect(({} as Record<string, unknown>).completed).toBeUndefined();
      expect(({} as Record<string, unknown>).title).toBeUndefined();
    });

    it("PATCH with only a __proto__ key", async () => {
      expectClientError(await send("PATCH", `/api/tasks/${task.id}`, '{"__proto__":{"title":"polluted"}}'), 400);
      await unchanged();
    });

    it.each(["constructor", "prototype"])("%s key on POST, PUT and PATCH → 400 VALIDATION_ERROR", async (key) => {
      for (const [method, path] of taskWrites()) expectClientError(await send(method, path, `{"title":"t","${key}":{"prototype":{"x":1}}}`), 400, "VALIDATION_ERROR");
      await unchanged();
    });

    it("on sign-up: no account, and emailVerified is not set through the prototype", async () => {
      const email = `proto-${randomUUID()}@example.com`;
      const raw = `{"name":"Proto","email":"${email}","password":"${PASSWORD}","__proto__":{"emailVerified":true}}`;
      expectClientError(await api("POST", "/api/auth/sign-up/email", { body: raw, headers: JSON_TYPE }), 400);
      expect(await (await db()).select().from(usersTable).where(eq(usersTable.email, email))).toEqual([]);
    });

    it("on sign-in", async () => {
      const raw = `{"email":"${owner.email}","password":"${owner.password}","__proto__":{"x":1}}`;
      expectClientError(await api("POST", "/api/auth/sign-in/email", { body: raw, headers: JSON_TYPE }), 400);
    });
  });

  describe("nesting 10,000 deep → 400", () => {
    const deep = {
      arrays: "[".repeat(10_000) + "]".repeat(10_000),
      objects: '{"a":'.repeat(10_000) + "1" + "}".repeat(10_000),
    };

    it.each(Object.keys(deep))("as a field value (%s) on POST, PUT and PATCH", async (shape) => {
      const nested = deep[shape as keyof typeof deep];
      for (const [method, path] of taskWrites()) {
        expectClientError(await send(method, path, `{"title":${nested}}`), 400);
        expectClientError(await send(method, path, `{"title":"t","description":${nested}}`), 400);
      }
      await unchanged();
    });

    it("as the whole body → 400 INVALID_JSON (arrays) or 400 (objects)", async () => {
      for (const [method, path] of taskWrites()) {
        expectClientError(await send(method, path, deep.arrays), 400, "INVALID_JSON");
        expectClientError(await send(method, path, deep.objects), 400);
      }
      await unchanged();
    });

    it.each(Object.keys(deep))("on sign-up, sign-in and sign-out (%s)", async (shape) => {
      const nested = deep[shape as keyof typeof deep];
      const email = `deep-${randomUUID()}@example.com`;
      expectClientError(
        await api("POST", "/api/auth/sign-up/email", { body: `{"name":${nested},"email":"${email}","password":"${PASSWORD}"}`, headers: JSON_TYPE }),
        400,
      );
      expectClientError(
        await api("POST", "/api/auth/sign-up/email", { body: `{"name":"n","email":"${email}","password":"${PASSWORD}","image":${nested}}`, headers: JSON_TYPE }),
        400,
      );
      expectClientError(
        await api("POST", "/api/auth/sign-in/email", { body: `{"email":"${owner.email}","password":${nested}}`, headers: JSON_TYPE }),
        400,
      );
      const session = await newSession(world.C.id);
      expectClientError(await api("POST", "/api/auth/sign-out", { token: session.token, body: `{"x":${nested}}`, headers: JSON_TYPE }), 400);
    });
  });

  describe("invalid UTF-8 → 400 INVALID_JSON", () => {
    const bodies = INVALID_UTF8.map((sequence) => concat(utf8('{"title":"a'), new Uint8Array(sequence), utf8('b"}')));

    it("every sequence, on POST, PUT and PATCH, and nothing changes", async () => {
      for (const bytes of bodies) {
        for (const [method, path] of taskWrites()) expectClientError(await send(method, path, bytes), 400, "INVALID_JSON");
      }
      await unchanged();
    });

    it("on sign-up, sign-in and sign-out", async () => {
      const signUpBody = concat(utf8('{"name":"'), new Uint8Array([0xff]), utf8(`","email":"u8-${randomUUID()}@example.com","password":"${PASSWORD}"}`));
      expectClientError(await api("POST", "/api/auth/sign-up/email", { body: signUpBody, headers: JSON_TYPE }), 400, "INVALID_JSON");
      const signInBody = concat(utf8(`{"email":"${owner.email}","password":"`), new Uint8Array([0xed, 0xa0, 0x80]), utf8('"}'));
      expectClientError(await api("POST", "/api/auth/sign-in/email", { body: signInBody, headers: JSON_TYPE }), 400, "INVALID_JSON");
      const session = await newSession(world.C.id);
      expectClientError(await api("POST", "/api/auth/sign-out", { token: session.token, body: new Uint8Array([0x7b, 0xc0, 0xaf, 0x7d]), headers: JSON_TYPE }), 400, "INVALID_JSON");
      expect((await api("GET", "/api/tasks", { token: session.token })).status).toBe(200);
    });
  });

  describe("huge numbers → 400", () => {
    it.each(["1e400", "-1e400", "123456789012345678901234567890", "1E+400", "0.1e99999"])("completed: %s on POST, PUT and PATCH", async (number) => {
      for (const [method, path] of taskWrites()) expectClientError(await send(method, path, `{"title":"t","completed":${number}}`), 400, "VALIDATION_ERROR");
      await unchanged();
    });

    it.each(["1e400", "123456789012345678901234567890"])("title and description: %s", async (number) => {
      for (const [method, path] of taskWrites()) {
        expectClientError(await send(method, path, `{"title":${number}}`), 400, "VALIDATION_ERROR");
        expectClientError(await send(method, path, `{"title":"t","description":${number}}`), 400, "VALIDATION_ERROR");
      }
      await unchanged();
    });

    it.each(["1e400", "123456789012345678901234567890"])("on sign-up and sign-in: %s is a 4xx", async (number) => {
      const email = `num-${randomUUID()}@example.com`;
      for (const body of [
        `{"name":${number},"email":"${email}","password":"${PASSWORD}"}`,
        `{"name":"n","email":${number},"password":"${PASSWORD}"}`,
        `{"name":"n","email":"${email}","password":${number}}`,
      ]) {
        const response = await api("POST", "/api/auth/sign-up/email", { body, headers: JSON_TYPE });
        expect(response.status, response.text).toBeGreaterThanOrEqual(400);
        expectClientError(response, response.status);
      }
      const response = await api("POST", "/api/auth/sign-in/email", { body: `{"email":"${owner.email}","password":${number}}`, headers: JSON_TYPE });
      expectClientError(response, 400);
    });
  });

  describe("text PostgreSQL cannot store → 400, never a 5xx", () => {
    it.each(["a\u0000b", "\u0000", "a\ud800b", "\udfff"])("title and description %j on POST, PUT and PATCH", async (text) => {
      for (const [method, path] of taskWrites()) {
        expectClientError(await send(method, path, JSON.stringify({ title: text })), 400, "VALIDATION_ERROR");
        expectClientError(await send(method, path, JSON.stringify({ title: "t", description: text })), 400, "VALIDATION_ERROR");
      }
      await unchanged();
    });

    it.each(["a\u0000b", "\u0000"])("sign-up name or password %j", async (text) => {
      const email = `nul-${randomUUID()}@example.com`;
      expectClientError(await api("POST", "/api/auth/sign-up/email", { json: { name: text, email, password: PASSWORD } }), 400);
      expect(await (await db()).select().from(usersTable).where(eq(usersTable.email, email))).toEqual([]);
      const response = await api("POST", "/api/auth/sign-up/email", { json: { name: "n", email, password: `${PASSWORD}${text}` } });
      expect(response.status, response.text).toBeLessThan(500);
    });

    it.each(["a\u0000b@example.com", "\u0000", "a\ud800@example.com"])("sign-up and sign-in email %j", async (email) => {
      expectClientError(await api("POST", "/api/auth/sign-up/email", { json: { name: "n", email, password: PASSWORD } }), 400);
      const response = await api("POST", "/api/auth/sign-in/email", { json: { email, password: PASSWORD } });
      expect(response.status, response.text).toBeGreaterThanOrEqual(400);
      expect(response.status, response.text).toBeLessThan(500);
      expectClientError(response, response.status);
    });
  });

  describe("other users and nobody cannot change a user's tasks", () => {
    it("B's and anonymous writes to A's task answer 404 and 401, and A's task is untouched", async () => {
      const other = actorOf(await signUp("Intruder"), "B");
      const path = `/api/tasks/${task.id}`;
      for (const [method, body] of [["PUT", '{"title":"mine now"}'], ["PATCH", '{"completed":true}'], ["DELETE", undefined]] as const) {
        const headers = body ? JSON_TYPE : {};
        expectClientError(await api(method, path, { token: other.token, body, headers }), 404, "TASK_NOT_FOUND");
        expectClientError(await api(method, path, { cookie: other.cookie, body, headers }), 404, "TASK_NOT_FOUND");
        expectClientError(await api(method, path, { body, headers: { ...headers, "x-forwarded-for": "198.51.100.77" } }), 401, "UNAUTHORIZED");
      }
      expectClientError(await api("GET", path, { token: other.token }), 404, "TASK_NOT_FOUND");
      expect((await api("GET", "/api/tasks", { token: other.token })).body.items).toEqual([]);
      await unchanged();
    });
  });
});
