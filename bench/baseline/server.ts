// The physical limit for this API on Node: bare node:http + pg, serving the benchmarked routes
// with the same bearer-token lookup as lib/auth/session.ts (one query joining sessions and users,
// unexpired), the same SQL as lib/tasks/queries.ts and the same JSON. Written as plainly as
// possible: no framework, no ORM, no schema library. Not a product: only what the bench calls.
// One process of several on one port: bench/baseline/start.ts runs it as npm start runs Next.
import { createHmac, timingSafeEqual } from "node:crypto";
import http from "node:http";
import pg from "pg";
import { cursorSchema, encodeCursor, scopeOf } from "@/lib/resource/cursor";
import { PRIORITIES } from "@/lib/tasks/schema";

const SECRET = process.env.BETTER_AUTH_SECRET ?? "";
const MAX_BODY = 64 * 1024;
const INT4_MAX = 2_147_483_647;
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{16,255}$/;
const ID_SHAPE = /^[1-9][0-9]{0,9}$/;

// The product's pool settings (lib/env.ts defaults).
const pool = new pg.Pool({
  connectionString: process.env.DATABASE_URL,
  max: Number(process.env.DB_POOL_MAX ?? 10),
  connectionTimeoutMillis: 30_000,
  idleTimeoutMillis: 10_000,
  maxLifetimeSeconds: 3600,
  statement_timeout: 5000,
});
pool.on("error", (error) => console.error("idle client error", error.message));

const TASK_COLUMNS = `"id", "user_id", "title", "description", "completed", "list_id", "due_at", "priority", "created_at", "updated_at"`;

interface TaskRow {
  id: number;
  user_id: string;
  title: string;
  description: string | null;
  completed: boolean;
  list_id: number | null;
  due_at: Date | null;
  priority: number;
  created_at: Date;
  updated_at: Date;
}

const toTask = (row: TaskRow) => ({
  id: row.id,
  user_id: row.user_id,
  title: row.title,
  description: row.description,
  completed: row.completed,
  list_id: row.list_id,
  due_at: row.due_at?.toISOString() ?? null,
  priority: PRIORITIES[row.priority] ?? "none",
  created_at: row.created_at.toISOString(),
  updated_at: row.updated_at.toISOString(),
});

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    detail: string,
  ) {
    super(detail);
  }
}

function send(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}

function sendError(res: http.ServerResponse, error: HttpError) {
  const headers: Record<string, string> = { "x-error-code": error.code, "cache-control": "no-store" };
  if (error.status === 401) headers["www-authenticate"] = "Bearer";
  send(res, error.status, { detail: error.message, error_code: error.code }, headers);
}

// --- auth: the same token rules and the same single query as lib/auth/session.ts -----------------

function bearerToken(header: string | undefined): string | null {
  const match = header ? /^Bearer +(\S+)\s*$/i.exec(header) : null;
  if (!match?.[1]) return null;
  let value: string;
  try {
    value = decodeURIComponent(match[1]);
  } catch {
    return null;
  }
  if (value.includes(".")) {
    // Signed form, as in Better Auth's cookie: token.base64(HMAC-SHA256(secret, token)).
    const dot = value.lastIndexOf(".");
    const token = value.slice(0, dot);
    const given = Buffer.from(value.slice(dot + 1), "base64");
    const expected = createHmac("sha256", SECRET).update(token).digest();
    value = given.length === expected.length && timingSafeEqual(given, expected) ? token : "";
  }
  return TOKEN_SHAPE.test(value) ? value : null;
}

async function requireUser(req: http.IncomingMessage): Promise<string> {
  const token = bearerToken(req.headers.authorization);
  if (!token) throw new HttpError(401, "UNAUTHORIZED", "Authentication required");
  const { rows } = await pool.query<{ id: string }>(
    `select "users"."id", "users"."email", "users"."name" from "sessions"
     inner join "users" on "users"."id" = "sessions"."user_id"
     where ("sessions"."token" = $1 and "sessions"."expires_at" > now()) limit $2`,
    [token, 1],
  );
  if (!rows[0]) throw new HttpError(401, "UNAUTHORIZED", "Session is invalid, expired or signed out");
  return rows[0].id;
}

// --- input ------------------------------------------------------------------------------------

function readBody(req: http.IncomingMessage): Promise<Record<string, unknown>> {
  if (!/^application\/json\b/i.test(req.headers["content-type"] ?? "")) {
    return Promise.reject(new HttpError(415, "UNSUPPORTED_MEDIA_TYPE", "Request body must be application/json"));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) reject(new HttpError(413, "PAYLOAD_TOO_LARGE", "Request body is larger than 64 KiB"));
      else chunks.push(chunk);
    });
    req.on("error", reject);
    req.on("end", () => {
      try {
        const value: unknown = JSON.parse(Buffer.concat(chunks).toString("utf8"));
        if (typeof value === "object" && value !== null && !Array.isArray(value)) resolve(value as Record<string, unknown>);
        else reject(new HttpError(400, "INVALID_JSON", "Request body must be a JSON object"));
      } catch {
        reject(new HttpError(400, "INVALID_JSON", "Request body must be a JSON object"));
      }
    });
  });
}

const invalid = (detail: string) => new HttpError(400, "VALIDATION_ERROR", detail);
const codePoints = (value: string) => [...value].length;

function text(value: unknown, field: string, max: number): string {
  if (typeof value !== "string") throw invalid(`${field} must be a string`);
  if (value.includes("\u0000") || !value.isWellFormed() || codePoints(value) > max) throw invalid(`${field} is invalid`);
  return value;
}

interface TaskFields {
  title?: string;
  description?: string | null;
  completed?: boolean;
}

function taskFields(body: Record<string, unknown>): TaskFields {
  const fields: TaskFields = {};
  for (const [key, value] of Object.entries(body)) {
    if (key === "title") {
      const title = text(value, "title", 1000).trim();
      if (title.length === 0 || codePoints(title) > 200) throw invalid("title must be 1 to 200 characters");
      fields.title = title;
    } else if (key === "description") {
      fields.description = value === null ? null : text(value, "description", 1000);
    } else if (key === "completed") {
      if (typeof value !== "boolean") throw invalid("completed must be a boolean");
      fields.completed = value;
    } else {
      throw invalid(`unknown field ${key}`);
    }
  }
  return fields;
}

function taskId(raw: string): number {
  const id = Number(raw);
  if (!ID_SHAPE.test(raw) || id > INT4_MAX) throw invalid("id must be a positive integer");
  return id;
}

// --- routes -------------------------------------------------------------------------------------

async function listTasks(userId: string, url: URL) {
  const limitText = url.searchParams.get("limit");
  const limit = limitText === null ? 50 : Number(limitText);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100 || !/^[0-9]{1,3}$/.test(limitText ?? "50")) {
    throw invalid("limit must be an integer from 1 to 100");
  }
  const conditions = [`"tasks"."user_id" = $1`];
  const params: unknown[] = [userId];
  const completed = url.searchParams.get("completed");
  if (completed !== null) {
    if (completed !== "true" && completed !== "false") throw invalid("completed must be true or false");
    params.push(completed === "true");
    conditions.push(`"tasks"."completed" = $${params.length}`);
  }
  // The product's cursor format (lib/resource/cursor.ts), for newest-first lists only.
  const scope = scopeOf({ completed: completed === null ? undefined : completed === "true", sort: "created" });
  const cursor = url.searchParams.get("cursor");
  if (cursor !== null) {
    const parsed = cursorSchema.safeParse(cursor);
    const id = parsed.success && parsed.data.scope === scope && parsed.data.values.length === 1 ? parsed.data.values[0] : undefined;
    if (typeof id !== "number") throw invalid("cursor is not a cursor returned by this API");
    params.push(id);
    conditions.push(`"tasks"."id" < $${params.length}`);
  }
  params.push(limit + 1);
  const { rows } = await pool.query<TaskRow>(
    `select ${TASK_COLUMNS} from "tasks" where (${conditions.join(" and ")}) order by "tasks"."id" desc limit $${params.length}`,
    params,
  );
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  const nextCursor = rows.length > limit && last ? encodeCursor({ scope, values: [last.id] }) : null;
  return { items: page.map(toTask), next_cursor: nextCursor };
}

async function getTask(userId: string, id: number) {
  const { rows } = await pool.query<TaskRow>(
    `select ${TASK_COLUMNS} from "tasks" where ("tasks"."id" = $1 and "tasks"."user_id" = $2) limit $3`,
    [id, userId, 1],
  );
  if (!rows[0]) throw new HttpError(404, "TASK_NOT_FOUND", "Task not found");
  return toTask(rows[0]);
}

async function createTask(userId: string, fields: TaskFields) {
  if (fields.title === undefined) throw invalid("title is required");
  const { rows } = await pool.query<TaskRow>(
    `insert into "tasks" ("id", "user_id", "title", "description", "completed", "created_at", "updated_at")
     values (default, $1, $2, $3, $4, default, default) returning ${TASK_COLUMNS}`,
    [userId, fields.title, fields.description ?? null, fields.completed ?? false],
  );
  return toTask(rows[0]!);
}

async function updateTask(userId: string, id: number, fields: TaskFields) {
  const sets: string[] = [];
  const params: unknown[] = [];
  for (const column of ["title", "description", "completed"] as const) {
    if (fields[column] === undefined) continue;
    params.push(fields[column]);
    sets.push(`"${column}" = $${params.length}`);
  }
  if (sets.length === 0) throw invalid("must contain at least one of title, description, completed");
  params.push(id, userId);
  const { rows } = await pool.query<TaskRow>(
    `update "tasks" set ${sets.join(", ")}, "updated_at" = greatest(now(), "tasks"."updated_at" + interval '1 millisecond')
     where ("tasks"."id" = $${params.length - 1} and "tasks"."user_id" = $${params.length}) returning ${TASK_COLUMNS}`,
    params,
  );
  if (!rows[0]) throw new HttpError(404, "TASK_NOT_FOUND", "Task not found");
  return toTask(rows[0]);
}

async function health() {
  const { rows } = await pool.query<{ last: string | null }>(
    `select max(created_at)::text as last from drizzle.__drizzle_migrations`,
  );
  // The bench applies every migration before it starts; the product compares with its journal.
  return { status: "ok", database: "ok", driver: "pg", migrations: rows[0]?.last ? "up_to_date" : "pending" };
}

async function route(req: http.IncomingMessage, res: http.ServerResponse) {
  const url = new URL(req.url ?? "/", "http://localhost");
  const path = url.pathname;
  if (path === "/api/health" && req.method === "GET") return send(res, 200, await health(), { "cache-control": "no-store" });
  if (path === "/api/tasks") {
    const userId = await requireUser(req);
    if (req.method === "GET") return send(res, 200, await listTasks(userId, url));
    if (req.method === "POST") {
      const task = await createTask(userId, taskFields(await readBody(req)));
      return send(res, 201, task, { location: `/api/tasks/${task.id}` });
    }
  }
  const match = /^\/api\/tasks\/([^/]+)$/.exec(path);
  if (match) {
    const userId = await requireUser(req);
    const id = taskId(match[1]!);
    if (req.method === "GET") return send(res, 200, await getTask(userId, id));
    if (req.method === "PATCH") return send(res, 200, await updateTask(userId, id, taskFields(await readBody(req))));
  }
  throw new HttpError(404, "NOT_FOUND", "No such API route");
}

const server = http.createServer((req, res) => {
  route(req, res).catch((error: unknown) => {
    if (error instanceof HttpError) return sendError(res, error);
    console.error(error);
    sendError(res, new HttpError(500, "INTERNAL_ERROR", "Internal server error"));
  });
});
server.keepAliveTimeout = 65_000;

server.listen(Number(process.env.PORT), "127.0.0.1");

for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.on(signal, () => {
    server.close();
    server.closeAllConnections();
    void pool.end().finally(() => process.exit(0));
  });
}
