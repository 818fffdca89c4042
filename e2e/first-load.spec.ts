import type { Locator, Page } from "@playwright/test";
import { apiKeyRow, apiKeysPanel, expect, listEntry, listsSidebar, newAccount, signUpViaApi, taskRow, test } from "./fixtures";

// Each list on the admin page (tasks, lists, API keys) loads when the page opens. Something the
// user adds before that first answer arrives must stay listed: the answer was asked for before it
// existed (app/admin/useLatestLoad.ts). Here the first answer is fetched at once, so it holds none
// of it, and handed to the page only once the create has been answered.

interface Case {
  what: string;
  /** The list's GET, whose first answer is held back, and the create's POST. */
  listPath: string;
  createPath: string;
  /** The element whose aria-busy says the list is loading. */
  loading: (page: Page) => Locator;
  /** Fills in and sends the form that adds one; does not wait for the result. */
  add: (page: Page) => Promise<void>;
  shown: (page: Page) => Locator;
}

const CASES: Case[] = [
  {
    what: "a task",
    listPath: "/api/tasks",
    createPath: "/api/tasks",
    loading: (page) => page.getByRole("region", { name: "All tasks" }),
    add: async (page) => {
      const form = page.getByRole("region", { name: "Add a task" });
      await form.getByLabel("Title").fill("Added early");
      await form.getByRole("button", { name: "Add task" }).click();
    },
    shown: (page) => taskRow(page, "Added early"),
  },
  {
    what: "a list",
    listPath: "/api/lists",
    createPath: "/api/lists",
    loading: (page) => listsSidebar(page).getByRole("list", { name: "Your lists" }),
    add: async (page) => {
      const form = listsSidebar(page).getByRole("form", { name: "Create a list" });
      await form.getByLabel("New list").fill("Added early");
      await form.getByRole("button", { name: "Add list", exact: true }).click();
    },
    shown: (page) => listEntry(page, "Added early"),
  },
  {
    what: "an API key",
    listPath: "/api/auth/api-key/list",
    createPath: "/api/auth/api-key/create",
    loading: (page) => apiKeysPanel(page).locator("[aria-busy]"),
    add: async (page) => {
      const form = apiKeysPanel(page).getByRole("form", { name: "Create an API key" });
      await form.getByLabel("Name").fill("Added early");
      await form.getByRole("button", { name: "Create key" }).click();
    },
    shown: (page) => apiKeyRow(page, "Added early"),
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

for (const { what, listPath, createPath, loading, add, shown } of CASES) {
  test(`${what} added while its list's first answer is on its way stays listed`, async ({ page }) => {
    await signUpViaApi(page, newAccount("Early"));
    const firstAnswer = await holdFirstAnswer(page, listPath);
    await page.goto("/admin");
    await expect(loading(page)).toHaveAttribute("aria-busy", "true");

    const created = page.waitForResponse((response) => new URL(response.url()).pathname === createPath && response.request().method() === "POST");
    await add(page);
    expect((await created).ok()).toBe(true);
    await firstAnswer.deliver();

    await expect(loading(page)).toHaveAttribute("aria-busy", "false");
    await expect(shown(page)).toBeVisible();
  });
}
