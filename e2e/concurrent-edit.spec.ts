import { createTaskViaApi, expect, newAccount, screenshotBoth, signUpViaApi, taskRow, test, type TaskBody } from "./fixtures";

// The admin page's editor against changes made elsewhere (issue #12): it opens from the task's
// current version and saves with If-Match, so a change made by another client in between is
// shown to the user, never overwritten.

const CHANGED_ELSEWHERE = "This task was changed elsewhere. Here is the current version; make your edit again.";

/** Another client of the same user: Node's fetch with the session's bearer token, no cookie. */
function elsewhere(baseURL: string, token: string) {
  return async (id: number, method: "GET" | "PATCH" | "DELETE", body?: Partial<TaskBody>) => {
    const response = await fetch(`${baseURL}/api/tasks/${id}`, {
      method,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: body && JSON.stringify(body),
    });
    expect(response.status, `${method} elsewhere`).toBe(method === "DELETE" ? 204 : 200);
    return method === "DELETE" ? null : ((await response.json()) as Required<TaskBody>);
  };
}

test("an edit made elsewhere is shown, never overwritten, and the next save succeeds", async ({ page, baseURL, guard }) => {
  guard.allowHttpStatus(412);
  const account = await signUpViaApi(page, newAccount("Conflict"));
  const api = elsewhere(baseURL!, account.token);
  await createTaskViaApi(page, { title: "Renew the TLS certificates" });
  const id = await createTaskViaApi(page, { title: "Draft the Q3 roadmap", description: "Collect input from support first." });
  await createTaskViaApi(page, { title: "Book the team offsite", description: "Venue shortlist is in the shared folder." });
  await page.goto("/admin");
  const row = taskRow(page, "Draft the Q3 roadmap");
  await expect(row).toContainText("Collect input from support first.");

  // Changed after the list loaded: the editor opens from the current version.
  await api(id, "PATCH", { description: "Collect input from support and sales first." });
  await row.getByRole("button", { name: /^Edit/ }).click();
  const editor = page.getByRole("form", { name: "Edit task: Draft the Q3 roadmap" });
  await expect(editor.getByLabel("Title")).toBeFocused();
  await expect(editor.getByLabel("Description")).toHaveValue("Collect input from support and sales first.");
  await expect(editor.getByRole("alert")).toHaveCount(0);

  // Changed again while the user types: the save is refused, and the editor shows the current version.
  await editor.getByLabel("Title").fill("Draft the Q3 roadmap (mine)");
  await api(id, "PATCH", { title: "Draft the Q3 and Q4 roadmap", priority: "high" });
  const refused = page.waitForResponse((r) => r.url().endsWith(`/api/tasks/${id}`) && r.request().method() === "PATCH");
  await editor.getByRole("button", { name: "Save" }).click();
  expect((await refused).status()).toBe(412);
  expect((await refused).request().headers()["if-match"]).toMatch(/^"\d+"$/);
  const current = page.getByRole("form", { name: "Edit task: Draft the Q3 and Q4 roadmap" });
  await expect(current.getByRole("alert")).toHaveText(CHANGED_ELSEWHERE);
  await expect(current.getByLabel("Title")).toHaveValue("Draft the Q3 and Q4 roadmap");
  await expect(current.getByLabel("Title")).toBeFocused();
  await expect(current.getByLabel("Description")).toHaveValue("Collect input from support and sales first.");
  await expect(current.getByLabel("Priority")).toHaveValue("high");
  expect(await api(id, "GET")).toMatchObject({ title: "Draft the Q3 and Q4 roadmap", priority: "high" });
  await screenshotBoth(page, "edit-conflict");

  // Made again on the current version: saved, over nothing the user has not seen.
  await current.getByLabel("Title").fill("Draft the Q3 and Q4 roadmap (reviewed)");
  const saved = page.waitForResponse((r) => r.url().endsWith(`/api/tasks/${id}`) && r.request().method() === "PATCH");
  await current.getByRole("button", { name: "Save" }).click();
  expect((await saved).status()).toBe(200);
  const edited = taskRow(page, "Draft the Q3 and Q4 roadmap (reviewed)");
  await expect(edited).toContainText("Collect input from support and sales first.");
  await expect(edited.getByTestId("task-priority")).toContainText("High");
  await expect(edited.getByRole("button", { name: /^Edit/ })).toBeFocused();
  await expect(page.getByText(CHANGED_ELSEWHERE)).toHaveCount(0);
  expect(await api(id, "GET")).toMatchObject({
    title: "Draft the Q3 and Q4 roadmap (reviewed)",
    description: "Collect input from support and sales first.",
    priority: "high",
  });
});

test("a task deleted elsewhere: opening or saving its editor removes the row and says so", async ({ page, baseURL, guard }) => {
  guard.allowHttpStatus(404, 412);
  const account = await signUpViaApi(page, newAccount("Gone"));
  const api = elsewhere(baseURL!, account.token);
  const opened = await createTaskViaApi(page, { title: "Deleted before the editor opened" });
  const saved = await createTaskViaApi(page, { title: "Deleted while being edited" });
  await createTaskViaApi(page, { title: "Still here" });
  await page.goto("/admin");
  await expect(taskRow(page, "Still here")).toBeVisible();

  await api(opened, "DELETE");
  await taskRow(page, "Deleted before the editor opened").getByRole("button", { name: /^Edit/ }).click();
  await expect(taskRow(page, "Deleted before the editor opened")).toHaveCount(0);
  await expect(page.getByRole("status").filter({ hasText: "“Deleted before the editor opened” no longer exists" })).toBeVisible();

  await taskRow(page, "Deleted while being edited").getByRole("button", { name: /^Edit/ }).click();
  const editor = page.getByRole("form", { name: "Edit task: Deleted while being edited" });
  await editor.getByLabel("Title").fill("Edited after all");
  await api(saved, "DELETE");
  await editor.getByRole("button", { name: "Save" }).click();
  await expect(editor).toHaveCount(0);
  await expect(taskRow(page, "Deleted while being edited")).toHaveCount(0);
  await expect(page.getByRole("status").filter({ hasText: "“Deleted while being edited” no longer exists: it was deleted elsewhere." })).toBeVisible();
  await expect(taskRow(page, "Still here")).toBeVisible();
  await screenshotBoth(page, "edit-deleted");
  expect((await page.request.get(`/api/tasks/${saved}`)).status()).toBe(404);
});
