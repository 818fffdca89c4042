import fs from "node:fs";
import path from "node:path";
import { test as base, expect, type Locator, type Page } from "@playwright/test";
import { signUp, TEST_PASSWORD, uniqueEmail, type Account as SignedUp, type FetchLike } from "../tools/accounts";

// Shared fixtures for the admin page journeys.
//
// Every page a test uses is watched: a console error, an uncaught page error or a dialog
// (alert/confirm/prompt) fails the test. The one kind of console error a test may expect is
// Chromium's own network line for an HTTP error status the test provokes on purpose (for
// example "Failed to load resource: the server responded with a status of 400" when checking
// validation errors); tests declare those statuses with `guard.allowHttpStatus(...)`.

const NETWORK_ERROR = /^Failed to load resource: the server responded with a status of (\d{3})\b/;

export class PageGuard {
  private readonly problems: string[] = [];
  private readonly allowed = new Set<number>();

  watch(page: Page, label = "page") {
    page.on("console", (message) => {
      if (message.type() !== "error") return;
      const text = message.text();
      const status = NETWORK_ERROR.exec(text)?.[1];
      if (status && this.allowed.has(Number(status))) return;
      this.problems.push(`${label} console error: ${text} (${message.location().url})`);
    });
    page.on("pageerror", (error) => this.problems.push(`${label} page error: ${error.message}`));
    page.on("dialog", (dialog) => {
      this.problems.push(`${label} unexpected ${dialog.type()} dialog: ${dialog.message()}`);
      void dialog.dismiss().catch(() => {});
    });
  }

  allowHttpStatus(...statuses: number[]) {
    for (const status of statuses) this.allowed.add(status);
  }

  assertClean() {
    expect(this.problems, "console errors, page errors or dialogs during the test").toEqual([]);
  }
}

export const test = base.extend<{ guard: PageGuard }>({
  guard: [
    async ({ page }, use) => {
      const guard = new PageGuard();
      guard.watch(page);
      await use(guard);
      guard.assertClean();
    },
    { auto: true },
  ],
});

export { expect };

export interface Account {
  name: string;
  email: string;
  password: string;
}

/** A new account's fields: `<prefix> <4 characters>`, `<prefix>-<uuid>@example.com`, the test password. */
export function newAccount(prefix: string): Account {
  const email = uniqueEmail(prefix.toLowerCase());
  return { name: `${prefix} ${email.slice(prefix.length + 1, prefix.length + 5)}`, email, password: TEST_PASSWORD };
}

/** The API's answer while the database is down (lib/errors.ts), for `route.fulfill`. */
export const DATABASE_OUTAGE = {
  status: 503,
  contentType: "application/json",
  headers: { "retry-after": "2", "x-error-code": "DATABASE_UNAVAILABLE" },
  body: JSON.stringify({ detail: "Database unavailable, retry shortly", error_code: "DATABASE_UNAVAILABLE" }),
};

/** The page's own origin: the API refuses cookie-authenticated writes without it (CSRF rule). */
export function originHeader(): Record<string, string> {
  const baseURL = test.info().project.use.baseURL;
  if (!baseURL) throw new Error("use.baseURL is not set");
  return { origin: new URL(baseURL).origin };
}

/** The page's request context as the transport of tools/accounts.ts: what it sets lands in the page's cookies. */
function pageRequest(page: Page): FetchLike {
  return async (url, init) => {
    const response = await page.request.fetch(url, { method: init.method, headers: init.headers, data: init.body });
    const headers = new Headers();
    for (const { name, value } of response.headersArray()) headers.append(name, value);
    return { status: response.status(), headers, text: () => response.text() };
  };
}

/**
 * Signs up through the API (tools/accounts.ts) with the page's own request context, so the
 * session cookie lands in the page's browser context (no UI involved).
 */
export async function signUpViaApi(page: Page, account: Account): Promise<SignedUp> {
  const baseURL = test.info().project.use.baseURL;
  if (!baseURL) throw new Error("use.baseURL is not set");
  return signUp(baseURL, { fetch: pageRequest(page), ...account });
}

/** Creates tasks through the API with the page's cookie, oldest first. */
export async function createTasksViaApi(page: Page, titles: string[]) {
  for (const title of titles) {
    const response = await page.request.post("/api/tasks", { data: { title }, headers: originHeader() });
    expect(response.status(), await response.text()).toBe(201);
  }
}

export async function signUpViaUi(page: Page, account: Account) {
  await page.goto("/admin");
  await page.getByRole("button", { name: "Create an account" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Create your account" })).toBeVisible();
  await page.getByLabel("Name").fill(account.name);
  await page.getByLabel("Email").fill(account.email);
  await page.getByLabel("Password").fill(account.password);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Tasks" })).toBeVisible();
}

export async function signInViaUi(page: Page, account: Pick<Account, "email" | "password">) {
  await page.getByLabel("Email").fill(account.email);
  await page.getByLabel("Password").fill(account.password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Tasks" })).toBeVisible();
}

export async function addTaskViaUi(page: Page, title: string, description?: string) {
  const form = page.getByRole("region", { name: "Add a task" });
  await form.getByLabel("Title").fill(title);
  if (description !== undefined) await form.getByLabel("Description").fill(description);
  await form.getByRole("button", { name: "Add task" }).click();
  await expect(taskRow(page, title)).toBeVisible();
  await expect(form.getByLabel("Title")).toHaveValue("");
}

/** The list item of the task with exactly this title. */
export function taskRow(page: Page, title: string) {
  return page
    .getByRole("list", { name: "Tasks" })
    .getByRole("listitem")
    .filter({ has: page.locator(".task-title", { hasText: new RegExp(`^${escapeRegExp(title)}$`) }) });
}

export function taskTitles(page: Page) {
  return page.getByRole("list", { name: "Tasks" }).locator(".task-title");
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

export const SCREENSHOT_DIR = path.join("test-results", "screenshots");

export const VIEWPORTS = {
  desktop: { width: 1280, height: 800 },
  mobile: { width: 360, height: 740 },
} as const;

/** Full-page screenshots of the current state at desktop and at 360 px wide. */
export async function screenshotBoth(page: Page, name: string) {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const original = page.viewportSize();
  for (const [label, size] of Object.entries(VIEWPORTS)) {
    await page.setViewportSize(size);
    // Let layout settle after the resize; fonts are local.
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}-${label}.png`), fullPage: true, animations: "disabled" });
  }
  if (original) await page.setViewportSize(original);
}

// --- API keys ----------------------------------------------------------------------------------

export type KeyScopeLabel = "Read only" | "Read and write";
export type KeyExpiryLabel = "Never" | "In 30 days" | "In 90 days" | "In 1 year";

export function apiKeysPanel(page: Page) {
  return page.getByRole("region", { name: "API keys" });
}

/** The list item of the API key with exactly this name. */
export function apiKeyRow(page: Page, name: string) {
  return apiKeysPanel(page)
    .getByRole("list", { name: "Your API keys" })
    .getByRole("listitem")
    .filter({ has: page.locator(".key-name", { hasText: new RegExp(`^${escapeRegExp(name)}$`) }) });
}

/**
 * Creates a key in the panel and returns it as the page shows it (once). The one-time display
 * is left open: the caller presses "Done".
 */
export async function createApiKeyViaUi(
  page: Page,
  input: { name: string; scope: KeyScopeLabel; expiry?: KeyExpiryLabel },
): Promise<string> {
  const form = apiKeysPanel(page).getByRole("form", { name: "Create an API key" });
  await form.getByLabel("Name").fill(input.name);
  await form.getByLabel("Access").selectOption({ label: input.scope });
  await form.getByLabel("Expires").selectOption({ label: input.expiry ?? "Never" });
  await form.getByRole("button", { name: "Create key" }).click();
  const field = apiKeysPanel(page).getByLabel("Your new API key");
  await expect(field).toHaveValue(/^tk_\S{20,}$/);
  return field.inputValue();
}

// --- Lists, due dates, priorities, search and sort ---------------------------------------------

export type PriorityLabel = "None" | "Low" | "Medium" | "High";
export type SortLabel = "Newest" | "Due date" | "Priority";

export function listsSidebar(page: Page) {
  return page.getByRole("region", { name: "Lists", exact: true });
}

/** The sidebar entry (its <li>) of "All tasks", "No list" or the list with exactly this name. */
export function listEntry(page: Page, name: string) {
  return listsSidebar(page)
    .getByRole("list", { name: "Your lists" })
    .getByRole("listitem")
    .filter({ has: page.locator(".list-link-name", { hasText: new RegExp(`^${escapeRegExp(name)}$`) }) });
}

/** The entries' names as the sidebar shows them, "All tasks" and "No list" first. */
export function listNames(page: Page) {
  return listsSidebar(page).locator(".list-link-name");
}

/** Shows the tasks of one sidebar entry and waits for them to load. */
export async function selectList(page: Page, name: string) {
  await listEntry(page, name).locator(".list-link").click();
  await expect(listEntry(page, name).locator(".list-link")).toHaveAttribute("aria-current", "true");
  await expect(page.getByTestId("task-list-heading")).toHaveText(name);
  await expect(page.getByText("Loading tasks…")).toHaveCount(0);
}

export async function createListViaUi(page: Page, name: string) {
  const form = listsSidebar(page).getByRole("form", { name: "Create a list" });
  await form.getByLabel("New list").fill(name);
  await form.getByRole("button", { name: "Add list", exact: true }).click();
  await expect(listEntry(page, name)).toBeVisible();
  await expect(form.getByLabel("New list")).toHaveValue("");
}

/** Creates a list through the API with the page's cookie; returns its id. */
export async function createListViaApi(page: Page, name: string): Promise<number> {
  const response = await page.request.post("/api/lists", { data: { name }, headers: originHeader() });
  expect(response.status(), await response.text()).toBe(201);
  return ((await response.json()) as { id: number }).id;
}

export interface TaskBody {
  title: string;
  description?: string | null;
  completed?: boolean;
  list_id?: number | null;
  due_at?: string | null;
  priority?: "none" | "low" | "medium" | "high";
}

/** Creates one task through the API with the page's cookie; returns its id. */
export async function createTaskViaApi(page: Page, task: TaskBody): Promise<number> {
  const response = await page.request.post("/api/tasks", { data: task, headers: originHeader() });
  expect(response.status(), await response.text()).toBe(201);
  return ((await response.json()) as { id: number }).id;
}

export interface TaskDetailsInput {
  /** The picker's option: "No list" or a list's name. */
  list?: string;
  /** A datetime-local value, `YYYY-MM-DDTHH:mm` in the browser's time zone; "" clears it. */
  due?: string;
  priority?: PriorityLabel;
}

/** Fills the list, due date and priority of a task form (the create form or an edit form). */
export async function fillTaskDetails(form: Locator, details: TaskDetailsInput) {
  if (details.list !== undefined) await form.getByLabel("List", { exact: true }).selectOption({ label: details.list });
  if (details.due === "") await form.getByRole("button", { name: "Clear due date" }).click();
  else if (details.due !== undefined) await form.getByLabel("Due").fill(details.due);
  if (details.priority !== undefined) await form.getByLabel("Priority").selectOption({ label: details.priority });
}

/** Adds a task with the create form, details included, and waits for the form to clear. */
export async function addTaskWithDetailsViaUi(page: Page, title: string, details: TaskDetailsInput) {
  const form = page.getByRole("region", { name: "Add a task" });
  await form.getByLabel("Title").fill(title);
  await fillTaskDetails(form, details);
  await form.getByRole("button", { name: "Add task" }).click();
  await expect(form.getByLabel("Title")).toHaveValue("");
}

export async function sortTasks(page: Page, sort: SortLabel) {
  await page.getByLabel("Sort", { exact: true }).selectOption({ label: sort });
  await expect(page.getByText("Loading tasks…")).toHaveCount(0);
}

export function taskSearch(page: Page) {
  return page.getByRole("search").getByLabel("Search tasks");
}
