import { signUp as signUpAccount, type Account, type FetchLike } from "@/tools/accounts";
import { assertDescribed } from "./openapi-validator";

// Calls the app's route handlers in-process, routed the way Next routes app/api, so that the
// integration suite exercises the real handlers, auth and database on every driver. Every
// response is validated against the OpenAPI document.
type RouteHandler = (request: Request, context: { params: Promise<Record<string, string | string[]>> }) => Promise<Response>;
type RouteModule = Record<string, unknown>;
type Params = Record<string, string | string[]>;

// The route table, derived from the route files by Next's own conventions: `[name]` is one
// segment, `[...name]` the rest of the path; static segments win over dynamic ones, and those
// over catch-alls.
const ROUTE_FILES = import.meta.glob<RouteModule>("/app/api/**/route.ts");

interface Route {
  file: string;
  pattern: RegExp;
  params: (match: RegExpExecArray) => Params;
  rank: number;
  load: () => Promise<RouteModule>;
}

function routeOf(file: string, load: () => Promise<RouteModule>): Route {
  const segments = file.slice("/app".length, -"/route.ts".length).split("/").filter(Boolean);
  const names: { name: string; rest: boolean }[] = [];
  let rank = 0;
  const source = segments
    .map((segment) => {
      const dynamic = /^\[(\.\.\.)?(\w+)\]$/.exec(segment);
      rank -= 1; // more segments: more specific
      if (!dynamic) return segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      names.push({ name: dynamic[2]!, rest: Boolean(dynamic[1]) });
      rank += dynamic[1] ? 10_000 : 100;
      return dynamic[1] ? "(.+)" : "([^/]+)";
    })
    .join("/");
  const params = (match: RegExpExecArray) =>
    Object.fromEntries(names.map(({ name, rest }, i) => [name, rest ? match[i + 1]!.split("/") : decodeURIComponent(match[i + 1]!)]));
  return { file, pattern: new RegExp(`^/${source}$`), params, rank, load };
}

export const ROUTES: Route[] = Object.entries(ROUTE_FILES)
  .map(([file, load]) => routeOf(file, load))
  .sort((a, b) => a.rank - b.rank);

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export interface RequestOptions {
  token?: string;
  cookie?: string;
  json?: unknown;
  body?: BodyInit;
  headers?: Record<string, string>;
  /** Origin header; defaults to the app's own origin for cookie requests, as a browser sends. null omits it. */
  origin?: string | null;
}

export const BASE_URL = "http://localhost:3000";

export async function api<T = any>(method: string, path: string, options: RequestOptions = {}): Promise<ApiResponse<T>> {
  const url = new URL(path, BASE_URL);
  const headers = new Headers(options.headers);
  if (options.token) headers.set("authorization", `Bearer ${options.token}`);
  if (options.cookie) headers.set("cookie", options.cookie);
  const origin = options.origin === undefined ? (options.cookie ? BASE_URL : null) : options.origin;
  if (origin && !headers.has("origin")) headers.set("origin", origin);
  let body = options.body;
  if (options.json !== undefined) {
    body = JSON.stringify(options.json);
    if (!headers.has("content-type")) headers.set("content-type", "application/json");
  }
  const request = new Request(url, { method, headers, body, duplex: "half" } as RequestInit);
  // Next answers a path with a trailing slash by redirecting to the path without it.
  const pathname = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, "") : url.pathname;
  const route = ROUTES.find(({ pattern }) => pattern.test(pathname));
  if (!route) throw new Error(`no route for ${pathname}`);
  const module = await route.load();
  const handler = module[method] as RouteHandler | undefined;
  if (!handler) throw new Error(`${pathname} exports no ${method} handler`);
  const response = await handler(request, { params: Promise.resolve(route.params(route.pattern.exec(pathname)!)) });
  const text = await response.text();
  let parsed: unknown = text;
  if (response.headers.get("content-type")?.includes("json") && text) parsed = JSON.parse(text);
  assertDescribed(method, pathname, response.status, response.headers, parsed);
  return { status: response.status, headers: response.headers, body: parsed as T, text };
}

/** id, email, password, token, cookie, and the signed token (`set-auth-token`). */
export type TestUser = Account;

/** `api` in the shape of fetch, for tools/accounts.ts: sign-ups run on the handlers and are checked against the document. */
const inProcess: FetchLike = async (url, init) => {
  const response = await api(init.method, url, { headers: init.headers, body: init.body });
  return { status: response.status, headers: response.headers, text: async () => response.text };
};

export async function signUp(name = "Test User"): Promise<TestUser> {
  return signUpAccount(BASE_URL, { fetch: inProcess, name });
}

export async function createTask(user: TestUser, json: Record<string, unknown> = { title: "A task" }) {
  const response = await api("POST", "/api/tasks", { token: user.token, json });
  if (response.status !== 201) throw new Error(`create failed: ${response.status} ${response.text}`);
  return response.body;
}

/** Asserts the contract's error envelope and returns it. */
export function expectError(response: ApiResponse, status: number, code: string) {
  const problem = `${response.status} ${response.text}`;
  if (response.status !== status) throw new Error(`expected ${status} ${code}, got ${problem}`);
  if (response.body?.error_code !== code) throw new Error(`expected error_code ${code}, got ${problem}`);
  if (typeof response.body.detail !== "string" || !response.body.detail) throw new Error(`missing detail: ${problem}`);
  if (response.headers.get("x-error-code") !== code) throw new Error(`X-Error-Code header is not ${code}: ${problem}`);
  return response.body;
}

/** A 400 VALIDATION_ERROR whose `errors` are well-formed and name every given field. */
export function expectValidation(response: ApiResponse, ...paths: string[]) {
  const body = expectError(response, 400, "VALIDATION_ERROR");
  if (!Array.isArray(body.errors) || body.errors.length === 0) throw new Error(`no errors[]: ${response.text}`);
  for (const error of body.errors) {
    if (typeof error.path !== "string" || typeof error.message !== "string" || !error.message) {
      throw new Error(`malformed errors[] entry: ${response.text}`);
    }
  }
  const failing = body.errors.map((error: { path: string }) => error.path);
  for (const path of paths) if (!failing.includes(path)) throw new Error(`errors[] does not name ${path}: ${response.text}`);
  return body;
}
