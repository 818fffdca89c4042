import type { Page } from "@playwright/test";
import { expect, listEntry, listNames, listsSidebar, newAccount, signUpViaApi, taskRow, taskTitles, test } from "./fixtures";

// A create whose answer is lost on the way back (here a gateway timeout, after the API made the
// item) and that the user sends again: the page resends it with the same Idempotency-Key
// (app/admin/retry-key.ts), so the API replays the first create instead of making a second item.

/**
 * Loses the answer to the first POST to `path` (the API makes the item all the same) and lets the
 * next ones through; returns the Idempotency-Key of each POST.
 */
async function loseFirstCreateAnswer(page: Page, path: string): Promise<string[]> {
  const keys: string[] = [];
  await page.route(`**${path}`, async (route) => {
    if (route.request().method() !== "POST") return route.fallback();
    keys.push(route.request().headers()["idempotency-key"] ?? "(none)");
    const response = await route.fetch();
    if (keys.length > 1) return route.fulfill({ response });
    expect(response.status()).toBe(201);
    return route.fulfill({ status: 504, contentType: "text/plain", body: "FUNCTION_INVOCATION_TIMEOUT" });
  });
  return keys;
}

test.beforeEach(async ({ page, guard }) => {
  guard.allowHttpStatus(504);
  await signUpViaApi(page, newAccount("Retry"));
  await page.goto("/admin");
  await expect(page.getByTestId("empty-state")).toBeVisible();
});

test("a task whose create lost its answer, added again, is one task", async ({ page }) => {
  const keys = await loseFirstCreateAnswer(page, "/api/tasks");
  const form = page.getByRole("region", { name: "Add a task" });
  await form.getByLabel("Title").fill("Pay the rent");
  await form.getByRole("button", { name: "Add task" }).click();
  await expect(form.getByRole("alert")).toBeVisible();
  await expect(form.getByLabel("Title")).toHaveValue("Pay the rent");

  await form.getByRole("button", { name: "Add task" }).click();
  await expect(form.getByLabel("Title")).toHaveValue("");
  await expect(taskTitles(page)).toHaveText(["Pay the rent"]);
  await page.reload();
  await expect(taskTitles(page)).toHaveText(["Pay the rent"]);
  expect(keys).toHaveLength(2);
  expect(keys[1]).toBe(keys[0]);

  // Another task is another create, with a key of its own.
  await form.getByLabel("Title").fill("Water the plants");
  await form.getByRole("button", { name: "Add task" }).click();
  await expect(taskRow(page, "Water the plants")).toBeVisible();
  expect(keys).toHaveLength(3);
  expect(keys[2]).not.toBe(keys[0]);
});

test("a list whose create lost its answer, added again, is the list (not a clash with itself)", async ({ page }) => {
  const keys = await loseFirstCreateAnswer(page, "/api/lists");
  const form = listsSidebar(page).getByRole("form", { name: "Create a list" });
  await form.getByLabel("New list").fill("Groceries");
  await form.getByRole("button", { name: "Add list", exact: true }).click();
  await expect(form.getByRole("alert")).toBeVisible();

  await form.getByRole("button", { name: "Add list", exact: true }).click();
  await expect(form.getByLabel("New list")).toHaveValue("");
  await expect(listEntry(page, "Groceries")).toBeVisible();
  await expect(page.getByTestId("list-name-error")).toHaveCount(0);
  expect(keys).toHaveLength(2);
  expect(keys[1]).toBe(keys[0]);

  await page.unroute("**/api/lists");
  await page.reload();
  await expect(listNames(page)).toHaveText(["All tasks", "No list", "Groceries"]);
});
