import type { APIRequestContext } from "@playwright/test";
import {
  apiKeyRow,
  apiKeysPanel,
  createApiKeyViaUi,
  expect,
  newAccount,
  signUpViaApi,
  signUpViaUi,
  taskRow,
  test,
} from "./fixtures";

// The API keys panel of the admin page. Keys are used the way an integration would: from a
// separate request context with `Authorization: Bearer <key>` and no cookies.

function bearer(key: string) {
  return { authorization: `Bearer ${key}` };
}

test("API keys: create, copy, use a key, see it used, scope enforced, revoke", async ({ page, context, playwright, baseURL }) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: baseURL });
  await signUpViaUi(page, newAccount("Keys"));
  const panel = apiKeysPanel(page);
  await expect(panel.getByTestId("api-keys-empty")).toContainText("No API keys yet");

  // A read-write key, shown once, with a warning and a working Copy button.
  const createdResponse = page.waitForResponse((r) => r.url().endsWith("/api/auth/api-key/create"));
  const writeKey = await createApiKeyViaUi(page, { name: "CI script", scope: "Read and write", expiry: "In 90 days" });
  const created = (await (await createdResponse).json()) as { key: string; start: string; expiresAt: string };
  expect(created.key).toBe(writeKey);
  expect(writeKey.startsWith(created.start)).toBe(true);
  const reveal = panel.getByTestId("new-api-key");
  await expect(reveal).toContainText("You won’t see it again.");
  await expect(reveal).toContainText("CI script");
  await expect(reveal).toContainText("Read & write");
  await expect(panel.getByLabel("Your new API key")).toBeFocused();
  await expect(panel.getByLabel("Your new API key")).toHaveAttribute("readonly", "");
  await reveal.getByRole("button", { name: "Copy" }).click();
  await expect(reveal.getByRole("button", { name: "Copied" })).toBeVisible();
  await expect(reveal.getByRole("status")).toHaveText("Copied to the clipboard.");
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(writeKey);

  // Done hides the key for good; the list shows the key by its first characters only.
  await reveal.getByRole("button", { name: "Done" }).click();
  await expect(reveal).toHaveCount(0);
  await expect(page.getByText(writeKey)).toHaveCount(0);
  await expect(panel.getByRole("form", { name: "Create an API key" }).getByLabel("Name")).toBeFocused();
  const writeRow = apiKeyRow(page, "CI script");
  await expect(writeRow).toContainText(`${created.start}…`);
  await expect(writeRow).toContainText("Read & write");
  await expect(writeRow.getByTestId("key-last-used")).toHaveText("Never");
  await expect(writeRow.getByTestId("key-expires")).not.toHaveText("Never");
  expect(await page.content()).not.toContain(writeKey);

  const api: APIRequestContext = await playwright.request.newContext({ baseURL });
  try {
    // The read-write key creates a task as the user: it shows up in the page.
    const made = await api.post("/api/tasks", { headers: bearer(writeKey), data: { title: "Made with an API key" } });
    expect(made.status(), await made.text()).toBe(201);
    await page.reload();
    await expect(taskRow(page, "Made with an API key")).toBeVisible();
    // ...and the list says the key was used.
    await expect(writeRow.getByTestId("key-last-used")).not.toHaveText("Never");
    await expect(writeRow.getByTestId("key-last-used").locator("time")).toHaveAttribute("datetime", /^\d{4}-/);

    // A read key reads but cannot write.
    const readKey = await createApiKeyViaUi(page, { name: "Dashboard", scope: "Read only" });
    await expect(panel.getByTestId("new-api-key")).toContainText("Never expires");
    await panel.getByRole("button", { name: "Done" }).click();
    const readRow = apiKeyRow(page, "Dashboard");
    await expect(readRow).toContainText("Read only");
    await expect(readRow.getByTestId("key-expires")).toHaveText("Never");
    const listed = await api.get("/api/tasks", { headers: bearer(readKey) });
    expect(listed.status()).toBe(200);
    expect(((await listed.json()) as { items: { title: string }[] }).items.map((task) => task.title)).toEqual(["Made with an API key"]);
    const refused = await api.post("/api/tasks", { headers: bearer(readKey), data: { title: "Not allowed" } });
    expect(refused.status(), await refused.text()).toBe(403);

    // Revoke the read key, with an inline confirmation (first declined).
    await readRow.getByRole("button", { name: "Revoke key: Dashboard" }).click();
    await expect(readRow.getByText("Revoke this key?")).toBeVisible();
    await expect(readRow.getByRole("button", { name: "Keep it" })).toBeFocused();
    await readRow.getByRole("button", { name: "Keep it" }).click();
    await expect(readRow.getByText("Revoke this key?")).toHaveCount(0);
    await expect(readRow.getByRole("button", { name: "Revoke key: Dashboard" })).toBeFocused();
    await readRow.getByRole("button", { name: "Revoke key: Dashboard" }).click();
    const deleted = page.waitForResponse((r) => r.url().endsWith("/api/auth/api-key/delete"));
    await readRow.getByRole("button", { name: "Yes, revoke" }).click();
    expect((await deleted).status()).toBe(200);
    await expect(readRow).toHaveCount(0);
    await expect(writeRow).toBeVisible();
    expect((await api.get("/api/tasks", { headers: bearer(readKey) })).status()).toBe(401);
    expect((await api.get("/api/tasks", { headers: bearer(writeKey) })).status()).toBe(200);

    // Revoked for good: a reload lists only the other key.
    await page.reload();
    await expect(apiKeysPanel(page).getByTestId("api-key-row")).toHaveCount(1);
    await expect(apiKeyRow(page, "CI script")).toBeVisible();
  } finally {
    await api.dispose();
  }
});

test("API keys: the API's validation errors are shown at the field, names are shown as text", async ({ page, guard }) => {
  guard.allowHttpStatus(400);
  await signUpViaApi(page, newAccount("KeyVal"));
  await page.goto("/admin");
  const form = apiKeysPanel(page).getByRole("form", { name: "Create an API key" });
  const name = form.getByLabel("Name");

  // 33 characters: the API refuses, and says so at the name field.
  await name.fill("k".repeat(33));
  await expect(form.getByText("33/32")).toBeVisible();
  const refused = page.waitForResponse((r) => r.url().endsWith("/api/auth/api-key/create"));
  await form.getByRole("button", { name: "Create key" }).click();
  const body = (await (await refused).json()) as { errors: { path: string }[] };
  expect(body.errors.map((error) => error.path)).toEqual(["name"]);
  const error = form.getByTestId("key-name-error");
  await expect(error).toHaveText("Must be at most 32 characters.");
  await expect(name).toHaveAttribute("aria-invalid", "true");
  await expect(name).toHaveAccessibleDescription(/Must be at most 32 characters/);
  await expect(name).toBeFocused();
  await expect(form.getByRole("button", { name: "Create key" })).toBeEnabled();

  // Empty (after trimming) is refused too; typing clears the error.
  await name.fill("   ");
  await form.getByRole("button", { name: "Create key" }).click();
  await expect(error).toHaveText("Must not be empty.");
  const xss = "<img src=x onerror=alert(1)>";
  await name.fill(xss);
  await expect(error).toHaveCount(0);
  await expect(name).not.toHaveAttribute("aria-invalid", "true");

  // HTML in a name is text, in the one-time display and in the list.
  await form.getByRole("button", { name: "Create key" }).click();
  await expect(apiKeysPanel(page).getByTestId("new-api-key").locator(".key-name")).toHaveText(xss);
  await apiKeysPanel(page).getByRole("button", { name: "Done" }).click();
  await expect(apiKeyRow(page, xss)).toBeVisible();
  await page.reload();
  await expect(apiKeyRow(page, xss).locator(".key-name")).toHaveText(xss);
  await expect(page.locator("main img, main script")).toHaveCount(0);
  await page.waitForTimeout(300); // an injected onerror would open a dialog: the guard fails on it
});

test("API keys: the button is disabled while creating; a clipboard failure says how to copy by hand", async ({ page }) => {
  await signUpViaApi(page, newAccount("Clip"));
  // A browser that refuses clipboard access.
  await page.addInitScript(() => {
    Object.defineProperty(navigator, "clipboard", {
      configurable: true,
      value: { writeText: () => Promise.reject(new DOMException("Write permission denied.", "NotAllowedError")) },
    });
  });
  await page.goto("/admin");
  const panel = apiKeysPanel(page);
  await expect(panel.getByTestId("api-keys-empty")).toBeVisible();

  // Hold the create request to see the busy state.
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  await page.route("**/api/auth/api-key/create", async (route) => {
    await held;
    await route.continue();
  });
  const form = panel.getByRole("form", { name: "Create an API key" });
  await form.getByLabel("Name").fill("Backup job");
  await form.getByRole("button", { name: "Create key" }).click();
  await expect(form.getByRole("button", { name: "Creating…" })).toBeDisabled();
  release();
  const field = panel.getByLabel("Your new API key");
  await expect(field).toHaveValue(/^tk_/);
  await page.unroute("**/api/auth/api-key/create");

  await panel.getByRole("button", { name: "Copy" }).click();
  await expect(panel.getByTestId("new-api-key").getByRole("status")).toContainText("Couldn’t copy automatically");
  await expect(panel.getByTestId("new-api-key").getByRole("status")).toContainText("copy it yourself");
  // The key is focused and selected, ready for Ctrl+C.
  await expect(field).toBeFocused();
  const selected = await field.evaluate((input: HTMLInputElement) => input.value.slice(input.selectionStart ?? 0, input.selectionEnd ?? 0));
  expect(selected).toBe(await field.inputValue());
});

test("API keys: a key can be created, copied and revoked with the keyboard only", async ({ page, context, baseURL }) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: baseURL });
  await signUpViaApi(page, newAccount("KeyKb"));
  await page.goto("/admin");
  const panel = apiKeysPanel(page);
  const form = panel.getByRole("form", { name: "Create an API key" });
  await expect(panel.getByTestId("api-keys-empty")).toBeVisible();

  await form.getByLabel("Name").focus();
  await page.keyboard.type("Keyboard key");
  await page.keyboard.press("Tab");
  await expect(form.getByLabel("Access")).toBeFocused();
  await page.keyboard.press("ArrowDown"); // Read only → Read and write
  await expect(form.getByLabel("Access")).toHaveValue("read-write");
  await page.keyboard.press("Tab");
  await expect(form.getByLabel("Expires")).toBeFocused();
  await page.keyboard.press("ArrowDown"); // Never → In 30 days
  await page.keyboard.press("Tab");
  await expect(form.getByRole("button", { name: "Create key" })).toBeFocused();
  await page.keyboard.press("Enter");

  const field = panel.getByLabel("Your new API key");
  await expect(field).toBeFocused();
  const key = await field.inputValue();
  await page.keyboard.press("Tab");
  await expect(panel.getByRole("button", { name: "Copy" })).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(panel.getByRole("button", { name: "Copied" })).toBeFocused();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(key);
  await page.keyboard.press("Tab");
  await expect(panel.getByRole("button", { name: "Done" })).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(form.getByLabel("Name")).toBeFocused();
  await expect(form.getByLabel("Name")).toHaveValue("");

  const row = apiKeyRow(page, "Keyboard key");
  await expect(row).toContainText("Read & write");
  await row.getByRole("button", { name: /^Revoke/ }).focus();
  await page.keyboard.press("Enter");
  await expect(row.getByRole("button", { name: "Keep it" })).toBeFocused();
  await page.keyboard.press("Tab");
  await expect(row.getByRole("button", { name: "Yes, revoke" })).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(row).toHaveCount(0);
  await expect(panel.getByTestId("api-keys-empty")).toBeVisible();
  await expect(panel.getByRole("heading", { name: "API keys" })).toBeFocused();
});

test("API keys: loading error with retry, and the panel fits 360 px", async ({ page, guard }) => {
  guard.allowHttpStatus(500);
  await signUpViaApi(page, newAccount("KeyErr"));
  await page.route("**/api/auth/api-key/list", (route) =>
    route.fulfill({
      status: 500,
      contentType: "application/json",
      body: JSON.stringify({ detail: "Internal server error", error_code: "INTERNAL_ERROR" }),
    }),
  );
  await page.setViewportSize({ width: 360, height: 740 });
  await page.goto("/admin");
  const panel = apiKeysPanel(page);
  await expect(panel.getByRole("alert")).toContainText("Couldn’t load your API keys. Internal server error");
  await page.unroute("**/api/auth/api-key/list");
  await panel.getByRole("button", { name: "Try again" }).click();
  await expect(panel.getByTestId("api-keys-empty")).toBeVisible();

  await createApiKeyViaUi(page, { name: "A rather long key name here 1234", scope: "Read and write", expiry: "In 1 year" });
  const noOverflow = () => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
  expect(await noOverflow()).toBe(true);
  await panel.getByRole("button", { name: "Done" }).click();
  await expect(apiKeyRow(page, "A rather long key name here 1234")).toBeVisible();
  expect(await noOverflow()).toBe(true);
});
