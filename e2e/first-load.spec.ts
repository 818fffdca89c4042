import type { Locator, Page } from "@playwright/test";
import {
  apiKeyRow,
  apiKeysPanel,
  createListViaApi,
  createTaskViaApi,
  DATABASE_OUTAGE,
  expect,
  listEntry,
  listsSidebar,
  newAccount,
  originHeader,
  signUpViaApi,
  taskRow,
  test,
} from "./fixtures";

// Each list on the admin page (tasks, lists, API keys) loads when the page opens, and its answer
// can race with the user and with the API's health (app/admin/useLatestLoad.ts):
// - something the user adds before that first answer arrives must stay listed: the answer was
//   asked for before it existed. Here the first answer is fetched at once, so it holds none of
//   it, and handed to the page only once the create has been answered;
// - a first load that fails in an outage loads again when the API recovers, even when the
//   recovery comes while its failed answer is still being read.

interface Case {
  what: string;
  /** The list's GET, whose first answer is held back, and the create's POST. */
  listPath: string;
  createPath: string;
  /** The element whose aria-busy says the list is loading. */
  loading: (page: Page) => Locator;
  /** Fills in and sends the form that adds one named `name`; does not wait for the result. */
  add: (page: Page, name: string) => Promise<void>;
  /** Adds one named `name` through the API. */
  seed: (page: Page, name: string) => Promise<unknown>;
  shown: (page: Page, name: string) => Locator;
}

const CASES: Case[] = [
  {
    what: "a task",
    listPath: "/api/tasks",
    createPath: "/api/tasks",
    loading: (page) => page.getByRole("region", { name: "All tasks" }),
    add: async (page, name) => {
      const form = page.getByRole("region", { name: "Add a task" });
      await form.getByLabel("Title").fill(name);
      await form.getByRole("button", { name: "Add task" }).click();
    },
    seed: (page, name) => createTaskViaApi(page, { title: name }),
    shown: taskRow,
  },
  {
    what: "a list",
    listPath: "/api/lists",
    createPath: "/api/lists",
    loading: (page) => listsSidebar(page).getByRole("list", { name: "Your lists" }),
    add: async (page, name) => {
      const form = listsSidebar(page).getByRole("form", { name: "Create a list" });
      await form.getByLabel("New list").fill(name);
      await form.getByRole("button", { name: "Add list", exact: true }).click();
    },
    seed: createListViaApi,
    shown: listEntry,
  },
  {
    what: "an API key",
    listPath: "/api/auth/api-key/list",
    createPath: "/api/auth/api-key/create",
    loading: (page) => apiKeysPanel(page).locator("[aria-busy]"),
    add: async (page, name) => {
      const form = apiKeysPanel(page).getByRole("form", { name: "Create an API key" });
      await form.getByLabel("Name").fill(name);
      await form.getByRole("button", { name: "Create key" }).click();
    },
    seed: async (page, name) => {
      const response = await page.request.post("/api/auth/api-key/create", { data: { name }, headers: originHeader() });
      expect(response.status(), await response.text()).toBe(200);
    },
    shown: apiKeyRow,
  },
];

/** Answers the page's first GET of `path` at once, but hands the answer over only on `deliver()`. */
async function holdFirstAnswer(page: Page, path: string) {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let delivered: Promise<void> | undefined;
  await page.route(
    (url) => url.pathname === path,
    async (route) => {
      if (route.request().method() !== "GET" || delivered) return route.fallback();
      delivered = route.fetch().then(async (response) => {
        await released;
        await route.fulfill({ response });
      });
    },
  );
  return {
    deliver: async () => {
      release();
      await delivered;
    },
  };
}

/**
 * Makes the page read the bodies of `path`'s answers slowly: their status is seen at once, their
 * body only on `deliver()`, as over a slow network.
 */
async function readBodiesSlowly(page: Page, path: string) {
  await page.addInitScript((held) => {
    let deliver!: () => void;
    const delivered = new Promise<void>((resolve) => (deliver = resolve));
    Object.assign(window, { deliverHeldBodies: deliver });
    const text = Response.prototype.text;
    Response.prototype.text = async function (this: Response) {
      if (new URL(this.url).pathname === held) await delivered;
      return text.call(this);
    };
  }, path);
  return { deliver: () => page.evaluate(() => (window as unknown as { deliverHeldBodies: () => void }).deliverHeldBodies()) };
}

for (const { what, listPath, createPath, loading, add, seed, shown } of CASES) {
  test(`${what} added while its list's first answer is on its way stays listed`, async ({ page }) => {
    await signUpViaApi(page, newAccount("Early"));
    const firstAnswer = await holdFirstAnswer(page, listPath);
    await page.goto("/admin");
    await expect(loading(page)).toHaveAttribute("aria-busy", "true");

    const created = page.waitForResponse((response) => new URL(response.url()).pathname === createPath && response.request().method() === "POST");
    await add(page, "Added early");
    expect((await created).ok()).toBe(true);
    await firstAnswer.deliver();

    await expect(loading(page)).toHaveAttribute("aria-busy", "false");
    await expect(shown(page, "Added early")).toBeVisible();
  });

  test(`${what}: a first load that fails in an outage loads again when the API recovers while its answer is read`, async ({ page, guard }) => {
    guard.allowHttpStatus(503);
    await signUpViaApi(page, newAccount("Recover"));
    await seed(page, "Kept");
    const slowBodies = await readBodiesSlowly(page, listPath);
    const outage = (url: URL) => url.pathname === "/api/health" || url.pathname === listPath;
    await page.route(outage, (route) => route.fulfill(DATABASE_OUTAGE));

    const failed = page.waitForResponse((response) => new URL(response.url()).pathname === listPath);
    await page.goto("/admin");
    expect((await failed).status()).toBe(503);
    await expect(page.getByTestId("service-banner")).toBeVisible();

    // The database comes back before the page has read the failed answer.
    await page.unroute(outage);
    await expect(page.getByTestId("health-badge")).toHaveAttribute("data-state", "ok", { timeout: 15_000 });
    await slowBodies.deliver();

    await expect(shown(page, "Kept")).toBeVisible();
    await expect(loading(page)).toHaveAttribute("aria-busy", "false");
  });
}
