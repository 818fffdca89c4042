// Every HTTP call the admin page makes lives in this one module, through the client typed from
// the OpenAPI document: a path, parameter or body the API does not have fails to compile.
// Same-origin fetch: the Better Auth session cookie goes along by itself. Each function
// returns the parsed body or throws ApiFailure.
import { createApiClient, type ApiSchemas, type paths } from "@/lib/api-client";

export type Task = ApiSchemas["Task"];
export type TaskPage = ApiSchemas["TaskPage"];

export interface FieldError {
  path: string;
  message: string;
}

/** The API's error envelope as a thrown value. `status` 0 means the request never got an answer. */
export class ApiFailure extends Error {
  override name = "ApiFailure";
  readonly status: number;
  readonly detail: string;
  readonly error_code: string;
  readonly errors: FieldError[];

  constructor(status: number, detail: string, error_code: string, errors: FieldError[] = []) {
    super(detail);
    this.status = status;
    this.detail = detail;
    this.error_code = error_code;
    this.errors = errors;
  }
}

export function isApiFailure(error: unknown): error is ApiFailure {
  return error instanceof ApiFailure;
}

/** Any thrown value as an ApiFailure, so that components handle every failure one way. */
export function toApiFailure(error: unknown): ApiFailure {
  if (error instanceof ApiFailure) return error;
  return new ApiFailure(0, "Something went wrong. Please try again.", "CLIENT_ERROR");
}

export type User = Pick<ApiSchemas["User"], "id" | "email" | "name">;
export type Health = ApiSchemas["Health"];

/** Page size the admin page asks for; the API allows 1 to 100. */
export const PAGE_SIZE = 20;

// --- Response observers ------------------------------------------------------------------------
// The page reacts to some answers wherever they come from: a 503 shows the "database
// unavailable" banner, a 401 from the task API means the session ended.

export interface ResponseEvent {
  path: string;
  status: number;
}

type Listener = (event: ResponseEvent) => void;
const listeners = new Set<Listener>();

export function onResponse(listener: Listener): () => void {
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
  };
}

function notify(event: ResponseEvent) {
  for (const listener of listeners) listener(event);
}

// --- Transport -----------------------------------------------------------------------------------

const client = createApiClient();
client.use({
  onResponse({ request, response }) {
    notify({ path: new URL(request.url).pathname, status: response.status });
  },
});

function asFieldErrors(value: unknown): FieldError[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((item) =>
    item && typeof item === "object" && typeof item.path === "string" && typeof item.message === "string"
      ? [{ path: item.path, message: item.message }]
      : [],
  );
}

function errorFrom(response: Response, body: unknown): ApiFailure {
  const envelope = body && typeof body === "object" && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
  const detail =
    typeof envelope.detail === "string" && envelope.detail
      ? envelope.detail
      : `Request failed (${response.status}${response.statusText ? ` ${response.statusText}` : ""})`;
  const code = typeof envelope.error_code === "string" ? envelope.error_code : `HTTP_${response.status}`;
  return new ApiFailure(response.status, detail, code, asFieldErrors(envelope.errors));
}

type Result<T> = { data?: T; error?: unknown; response: Response };

/** Awaits a typed-client call: the data and response on success, the envelope as an ApiFailure otherwise. */
async function answer<T>(pending: Promise<Result<T>>): Promise<{ data: T; response: Response }> {
  let result: Result<T>;
  try {
    result = await pending;
  } catch {
    notify({ path: "", status: 0 });
    throw new ApiFailure(0, "Could not reach the server. Check your connection and try again.", "NETWORK_ERROR");
  }
  if (!result.response.ok) throw errorFrom(result.response, result.error);
  return { data: result.data as T, response: result.response };
}

async function call<T>(pending: Promise<Result<T>>): Promise<T> {
  return (await answer(pending)).data;
}

const noStore = { cache: "no-store" } as const;

// --- Auth ----------------------------------------------------------------------------------------

export async function signUp(input: { name: string; email: string; password: string }): Promise<User> {
  return (await call(client.POST("/api/auth/sign-up/email", { body: input }))).user;
}

export async function signIn(input: { email: string; password: string }): Promise<User> {
  return (await call(client.POST("/api/auth/sign-in/email", { body: input }))).user;
}

export async function signOut(): Promise<void> {
  await call(client.POST("/api/auth/sign-out"));
}

/** The signed-in user, or null when there is no valid session. */
export async function getSession(): Promise<User | null> {
  return (await call(client.GET("/api/auth/get-session", noStore)))?.user ?? null;
}

// --- Tasks ---------------------------------------------------------------------------------------

export type Priority = Task["priority"];
export type TaskSort = NonNullable<NonNullable<paths["/api/tasks"]["get"]["parameters"]["query"]>["sort"]>;

export interface ListQuery {
  completed?: boolean;
  /** One list's tasks, `"none"` for the tasks in no list, all when absent. */
  list_id?: number | "none";
  /** Title contains; sent only when not blank. */
  q?: string;
  sort?: TaskSort;
  cursor?: string | null;
  limit?: number;
}

export async function listTasks(query: ListQuery = {}): Promise<TaskPage> {
  const q = query.q?.trim();
  return call(
    client.GET("/api/tasks", {
      ...noStore,
      params: {
        query: {
          limit: query.limit ?? PAGE_SIZE,
          ...(query.completed === undefined ? {} : { completed: query.completed ? "true" : "false" }),
          ...(query.list_id === undefined ? {} : { list_id: query.list_id }),
          ...(q ? { q } : {}),
          ...(query.sort && query.sort !== "created" ? { sort: query.sort } : {}),
          ...(query.cursor ? { cursor: query.cursor } : {}),
        },
      },
    }),
  );
}

export interface TaskInput {
  title: string;
  description?: string | null;
  completed?: boolean;
  list_id?: number | null;
  /** RFC 3339 with an offset, or null for no due date. */
  due_at?: string | null;
  priority?: Priority;
}

/** `idempotencyKey`: the same for a resend of the same create (useRetryKey). */
export async function createTask(input: TaskInput, idempotencyKey: string): Promise<Task> {
  return call(client.POST("/api/tasks", { body: input, headers: { "Idempotency-Key": idempotencyKey } }));
}

export async function updateTask(id: number, patch: Partial<TaskInput>): Promise<Task> {
  return call(client.PATCH("/api/tasks/{id}", { params: { path: { id } }, body: patch }));
}

/** A task and its ETag: the version a later write names in If-Match. */
export interface VersionedTask {
  task: Task;
  etag: string;
}

async function versioned(pending: Promise<Result<Task>>): Promise<VersionedTask> {
  const { data, response } = await answer(pending);
  const etag = response.headers.get("ETag");
  // Without it the next save could not be conditional, and would overwrite changes made elsewhere.
  if (!etag) throw new ApiFailure(0, "The server did not say which version of the task this is.", "CLIENT_ERROR");
  return { task: data, etag };
}

export async function getTask(id: number): Promise<VersionedTask> {
  return versioned(client.GET("/api/tasks/{id}", { ...noStore, params: { path: { id } } }));
}

/** The patch, written only if the task is still at the version `etag` names: else 412 PRECONDITION_FAILED. */
export async function updateTaskIfUnchanged(id: number, etag: string, patch: Partial<TaskInput>): Promise<VersionedTask> {
  return versioned(client.PATCH("/api/tasks/{id}", { params: { path: { id }, header: { "If-Match": etag } }, body: patch }));
}

export async function deleteTask(id: number): Promise<void> {
  await call(client.DELETE("/api/tasks/{id}", { params: { path: { id } } }));
}

// --- Lists ---------------------------------------------------------------------------------------

export type List = ApiSchemas["List"];

/** Lists fetched per request while reading all of them (the API's largest page). */
const LIST_PAGE_SIZE = 100;

/** Every list of the user, by name ignoring case: all pages, followed by cursor. */
export async function listAllLists(): Promise<List[]> {
  const lists: List[] = [];
  let cursor: string | null = null;
  do {
    const query: { limit: number; cursor?: string } = cursor ? { limit: LIST_PAGE_SIZE, cursor } : { limit: LIST_PAGE_SIZE };
    const page: ApiSchemas["ListPage"] = await call(client.GET("/api/lists", { ...noStore, params: { query } }));
    lists.push(...page.items);
    cursor = page.next_cursor;
  } while (cursor);
  return lists;
}

export async function createList(name: string, idempotencyKey: string): Promise<List> {
  return call(client.POST("/api/lists", { body: { name }, headers: { "Idempotency-Key": idempotencyKey } }));
}

export async function renameList(id: number, name: string): Promise<List> {
  return call(client.PATCH("/api/lists/{id}", { params: { path: { id } }, body: { name } }));
}

/** Deletes the list; its tasks stay, in no list. */
export async function deleteList(id: number): Promise<void> {
  await call(client.DELETE("/api/lists/{id}", { params: { path: { id } } }));
}

// --- API keys ------------------------------------------------------------------------------------
// Better Auth's api-key plugin at /api/auth/api-key/*, with the signed-in session (cookie).

export type ApiKey = ApiSchemas["ApiKey"];
export type ApiKeyCreated = ApiSchemas["ApiKeyCreated"];
export type ApiKeyInput = NonNullable<paths["/api/auth/api-key/create"]["post"]["requestBody"]>["content"]["application/json"];
export type ApiKeyScope = NonNullable<ApiKeyInput["scope"]>;

/** What a key may do, from the permissions the server stored for it. */
export function scopeOf(key: Pick<ApiKey, "permissions">): ApiKeyScope {
  return key.permissions?.tasks.includes("write") ? "read-write" : "read";
}

export async function listApiKeys(): Promise<ApiKey[]> {
  return (await call(client.GET("/api/auth/api-key/list", noStore))).apiKeys;
}

/** The new key, with the key itself: the only time the API shows it. */
export async function createApiKey(input: ApiKeyInput): Promise<ApiKeyCreated> {
  return call(client.POST("/api/auth/api-key/create", { body: input }));
}

export async function deleteApiKey(keyId: string): Promise<void> {
  await call(client.POST("/api/auth/api-key/delete", { body: { keyId } }));
}

// --- Health --------------------------------------------------------------------------------------

export async function getHealth(): Promise<Health> {
  return call(client.GET("/api/health", noStore));
}
