import { sql } from "drizzle-orm";
import { bigint, boolean, index, integer, jsonb, pgTable, primaryKey, smallint, text, timestamp, uniqueIndex, varchar } from "drizzle-orm/pg-core";

const timestamps = {
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
};

// The server's clock at a row's last write. updated_at may run a little ahead of it (it must
// grow on every write, even twice in one millisecond); paging over a changeable sort compares
// this one with the moment of its first page (lib/resource/keyset.ts).
const changedAt = timestamp("changed_at", { withTimezone: true }).notNull().defaultNow();

// Better Auth's core tables. Keys are the camelCase field names Better Auth expects;
// the adapter is configured with usePlural so it finds them under these plural names.
export const users = pgTable("users", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  email: text("email").notNull().unique(),
  emailVerified: boolean("email_verified").notNull().default(false),
  image: text("image"),
  ...timestamps,
});

export const sessions = pgTable(
  "sessions",
  {
    id: text("id").primaryKey(),
    token: text("token").notNull().unique(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    ipAddress: text("ip_address"),
    userAgent: text("user_agent"),
    ...timestamps,
  },
  (table) => [index("sessions_user_id_idx").on(table.userId)],
);

export const accounts = pgTable(
  "accounts",
  {
    id: text("id").primaryKey(),
    accountId: text("account_id").notNull(),
    providerId: text("provider_id").notNull(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    accessToken: text("access_token"),
    refreshToken: text("refresh_token"),
    idToken: text("id_token"),
    accessTokenExpiresAt: timestamp("access_token_expires_at", { withTimezone: true }),
    refreshTokenExpiresAt: timestamp("refresh_token_expires_at", { withTimezone: true }),
    scope: text("scope"),
    password: text("password"),
    ...timestamps,
  },
  (table) => [index("accounts_user_id_idx").on(table.userId)],
);

export const verifications = pgTable(
  "verifications",
  {
    id: text("id").primaryKey(),
    identifier: text("identifier").notNull(),
    value: text("value").notNull(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    ...timestamps,
  },
  (table) => [index("verifications_identifier_idx").on(table.identifier)],
);

// Better Auth's api-key plugin (model `apikey`, found as `apikeys` with usePlural). `key` holds
// only the SHA-256 of the key (base64url); `config_id` is the key's scope (see lib/auth/api-keys.ts).
// Requests authenticate by looking the hash up in the same statement as the user and the data.
export const apikeys = pgTable(
  "api_keys",
  {
    id: text("id").primaryKey(),
    configId: text("config_id").notNull().default("default"),
    name: text("name"),
    start: text("start"),
    prefix: text("prefix"),
    key: text("key").notNull().unique(),
    referenceId: text("reference_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    refillInterval: integer("refill_interval"),
    refillAmount: integer("refill_amount"),
    lastRefillAt: timestamp("last_refill_at", { withTimezone: true }),
    enabled: boolean("enabled").notNull().default(true),
    rateLimitEnabled: boolean("rate_limit_enabled").notNull().default(false),
    rateLimitTimeWindow: integer("rate_limit_time_window"),
    rateLimitMax: integer("rate_limit_max"),
    requestCount: integer("request_count").notNull().default(0),
    remaining: integer("remaining"),
    lastRequest: timestamp("last_request", { withTimezone: true }),
    expiresAt: timestamp("expires_at", { withTimezone: true }),
    permissions: text("permissions"),
    metadata: text("metadata"),
    ...timestamps,
  },
  (table) => [index("api_keys_reference_id_idx").on(table.referenceId)],
);

// Better Auth's limiter state for sign-in and sign-up: in the database, not in process memory,
// so that the limit holds across every serverless instance.
export const rateLimits = pgTable("rate_limits", {
  id: text("id").primaryKey(),
  key: text("key").notNull().unique(),
  count: integer("count").notNull(),
  lastRequest: bigint("last_request", { mode: "number" }).notNull(),
});

// Fixed-window counters for the API's own limits (task writes per user, unauthenticated
// requests per IP): one upserted row per key, shared by every instance.
export const requestCounters = pgTable("request_counters", {
  key: text("key").primaryKey(),
  windowStart: bigint("window_start", { mode: "number" }).notNull(),
  count: integer("count").notNull(),
});

// A user's lists of tasks. Names are unique per user regardless of case, so the name in lower
// case (compared byte-wise, the same on every server and locale) orders a user's lists on its
// own, and its unique index serves both the rule and the paging.
export const lists = pgTable(
  "lists",
  {
    id: integer("id").primaryKey().generatedAlwaysAsIdentity(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    name: varchar("name", { length: 100 }).notNull(),
    ...timestamps,
    changedAt,
  },
  (table) => [
    uniqueIndex("lists_user_id_name_key").on(table.userId, sql`(lower(${table.name}) collate "C")`),
    // The target of tasks' (list_id, user_id) foreign key: a task can only be in its owner's list.
    uniqueIndex("lists_id_user_id_key").on(table.id, table.userId),
  ],
);

export const tasks = pgTable(
  "tasks",
  {
    id: integer("id").primaryKey().generatedAlwaysAsIdentity(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    title: varchar("title", { length: 200 }).notNull(),
    description: varchar("description", { length: 1000 }),
    completed: boolean("completed").notNull().default(false),
    // In one of the owner's lists, or none. The foreign key (list_id, user_id) → lists (id,
    // user_id), ON DELETE SET NULL (list_id), is in migration 0003: drizzle cannot say "set
    // only list_id to null", and a list's deletion must keep its tasks.
    listId: integer("list_id"),
    dueAt: timestamp("due_at", { withTimezone: true, precision: 3 }),
    // 0 none, 1 low, 2 medium, 3 high (lib/tasks/schema.ts maps the names), so that it sorts.
    priority: smallint("priority").notNull().default(0),
    ...timestamps,
    changedAt,
    // The change number of this task's last write: its version (the ETag) and, with its id, its
    // place in the owner's change feed. Set by a trigger (migration 0004), never by the app.
    changeSeq: bigint("change_seq", { mode: "number" }).notNull().default(0),
  },
  // Each list shape (a sort, optionally a filter, after a cursor) is an ordered range scan of
  // one of these, bounded by the owner's rows; `q` is served by the trigram index.
  (table) => [
    index("tasks_user_id_id_idx").on(table.userId, sql`${table.id} desc`),
    index("tasks_user_id_completed_id_idx").on(table.userId, table.completed, sql`${table.id} desc`),
    index("tasks_user_id_list_id_id_idx").on(table.userId, table.listId, sql`${table.id} desc`),
    // Undated tasks sort as due at the end of time (lib/tasks/queries.ts).
    index("tasks_user_id_due_at_id_idx").on(table.userId, sql`coalesce(${table.dueAt}, 'infinity'::timestamptz)`, table.id),
    index("tasks_user_id_priority_id_idx").on(table.userId, sql`${table.priority} desc`, sql`${table.id} desc`),
    index("tasks_title_trgm_idx").using("gin", sql`${table.title} gin_trgm_ops`),
    index("tasks_user_id_change_seq_id_idx").on(table.userId, table.changeSeq, table.id),
  ],
);

// Each user's change counter. A transaction that writes a user's tasks takes the next number
// from the user's row here (triggers, migration 0004) for all of its writes, and holds the row
// lock until it ends, so one user's numbers commit in the order they are handed out: a reader
// that sees number n can already see every number below it (lib/tasks/changes.ts relies on it).
export const syncCounters = pgTable("sync_counters", {
  userId: text("user_id")
    .primaryKey()
    .references(() => users.id, { onDelete: "cascade" }),
  seq: bigint("seq", { mode: "number" }).notNull(),
});

// A deleted task, as the change feed reports it; written by the delete trigger and pruned by
// it (up to two rows per tombstone it writes, at most 1,000 per deleting statement) once older
// than the retention of lib/tasks/schema.ts (TOMBSTONE_RETENTION_DAYS).
export const taskTombstones = pgTable(
  "task_tombstones",
  {
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    taskId: integer("task_id").notNull(),
    changeSeq: bigint("change_seq", { mode: "number" }).notNull(),
    deletedAt: timestamp("deleted_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [primaryKey({ columns: [table.userId, table.changeSeq, table.taskId] }), index("task_tombstones_deleted_at_idx").on(table.deletedAt)],
);

// The first answer to a create sent with an Idempotency-Key, replayed to its retries
// (lib/http/idempotency.ts). Written by the create's own statement.
export const idempotencyKeys = pgTable(
  "idempotency_keys",
  {
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    key: varchar("key", { length: 255 }).notNull(),
    // SHA-256 of the method, the path and the validated body.
    fingerprint: text("fingerprint").notNull(),
    // The create statement's rows (JSON), from which its handler builds the answer again.
    result: text("result"),
    // The answer itself, as the version before `result` recorded it: read until its records expire
    // (a day after drizzle/0006 is deployed), then dropped with these columns.
    status: smallint("status"),
    body: text("body"),
    headers: jsonb("headers").$type<Record<string, string>>(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
  },
  (table) => [primaryKey({ columns: [table.userId, table.key] }), index("idempotency_keys_expires_at_idx").on(table.expiresAt)],
);

export type UserRow = typeof users.$inferSelect;
export type TaskRow = typeof tasks.$inferSelect;
export type ListRow = typeof lists.$inferSelect;
