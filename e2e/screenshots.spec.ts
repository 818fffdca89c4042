import {
  apiKeyRow,
  apiKeysPanel,
  createApiKeyViaUi,
  createListViaApi,
  createTaskViaApi,
  DATABASE_OUTAGE,
  expect,
  fillTaskDetails,
  listsSidebar,
  newAccount,
  originHeader,
  screenshotBoth,
  selectList,
  signUpViaApi,
  sortTasks,
  taskSearch,
  taskTitles,
  test,
  VIEWPORTS,
} from "./fixtures";

// Screenshots of the main states at desktop (1280x800) and 360 px wide, kept as artifacts in
// test-results/screenshots/.
test("screenshots: signed out, task list, validation error, database unavailable", async ({ page, guard }) => {
  guard.allowHttpStatus(400, 503);

  await page.goto("/admin");
  await expect(page.getByRole("heading", { level: 1, name: "Sign in to Tasks" })).toBeVisible();
  await expect(page.getByTestId("health-badge")).toHaveText(/Operational/);
  await screenshotBoth(page, "signed-out");

  await signUpViaApi(page, { name: "Grace Hopper", email: `grace-${Date.now()}@example.com`, password: newAccount("x").password });
  const tasks = [
    { title: "Draft the Q3 roadmap", description: "Collect input from support and sales first." },
    { title: "Renew the TLS certificates", description: null },
    { title: "Review the onboarding flow", description: "Check the empty states on mobile." },
    { title: "Book the team offsite", description: "Venue shortlist is in the shared folder." },
    { title: "Reply to the security questionnaire", description: null },
  ];
  const ids: number[] = [];
  for (const task of tasks) {
    const response = await page.request.post("/api/tasks", {
      data: task.description ? task : { title: task.title },
      headers: originHeader(),
    });
    expect(response.status()).toBe(201);
    ids.push(((await response.json()) as { id: number }).id);
  }
  for (const id of [ids[1], ids[3]]) {
    expect((await page.request.patch(`/api/tasks/${id}`, { data: { completed: true }, headers: originHeader() })).status()).toBe(200);
  }
  await page.goto("/admin");
  await expect(page.getByRole("list", { name: "Tasks" }).getByRole("listitem")).toHaveCount(5);
  await screenshotBoth(page, "list");

  const form = page.getByRole("region", { name: "Add a task" });
  await form.getByLabel("Title").fill("   ");
  await form.getByRole("button", { name: "Add task" }).click();
  await expect(form.getByTestId("title-error")).toHaveText("Must not be empty.");
  await screenshotBoth(page, "validation-error");
  await form.getByLabel("Title").fill("");

  await page.route("**/api/**", (route) => route.fulfill(DATABASE_OUTAGE));
  await page.getByRole("button", { name: "Open", exact: true }).click();
  await expect(page.getByTestId("service-banner")).toBeVisible();
  await expect(page.getByText("Couldn’t load your tasks.")).toBeVisible();
  await screenshotBoth(page, "database-unavailable");
  await page.unroute("**/api/**");
  await expect(page.getByTestId("service-banner")).toHaveCount(0, { timeout: 15_000 });
});

test("screenshots: API keys with a new key shown, the list, a revoke confirmation and a field error", async ({ page, playwright, baseURL, guard }) => {
  guard.allowHttpStatus(400);
  await signUpViaApi(page, { name: "Grace Hopper", email: `grace-keys-${Date.now()}@example.com`, password: newAccount("x").password });
  await page.goto("/admin");
  const panel = apiKeysPanel(page);
  await expect(panel.getByTestId("api-keys-empty")).toBeVisible();
  await screenshotBoth(page, "api-keys-empty");

  const exportKey = await createApiKeyViaUi(page, { name: "Nightly export", scope: "Read only", expiry: "In 1 year" });
  await panel.getByRole("button", { name: "Done" }).click();
  const api = await playwright.request.newContext({ baseURL });
  try {
    const used = await api.get("/api/tasks", { headers: { authorization: `Bearer ${exportKey}` } });
    expect(used.status()).toBe(200);
  } finally {
    await api.dispose();
  }
  await createApiKeyViaUi(page, { name: "Staging deploy bot", scope: "Read and write", expiry: "In 30 days" });
  await panel.getByRole("button", { name: "Done" }).click();
  await createApiKeyViaUi(page, { name: "CI pipeline", scope: "Read and write", expiry: "In 90 days" });
  await expect(panel.getByTestId("new-api-key")).toBeVisible();
  await screenshotBoth(page, "api-keys-created");

  await panel.getByRole("button", { name: "Done" }).click();
  await page.reload();
  await expect(panel.getByTestId("api-key-row")).toHaveCount(3);
  await expect(apiKeyRow(page, "Nightly export").getByTestId("key-last-used")).not.toHaveText("Never");
  await screenshotBoth(page, "api-keys-list");

  await apiKeyRow(page, "Staging deploy bot").getByRole("button", { name: /^Revoke/ }).click();
  await panel.getByRole("form", { name: "Create an API key" }).getByLabel("Name").fill("This name is far too long for a key");
  await panel.getByRole("button", { name: "Create key" }).click();
  await expect(panel.getByTestId("key-name-error")).toBeVisible();
  await screenshotBoth(page, "api-keys-revoke-and-error");
});

test("screenshots: lists sidebar with a filter, the task form with due date and priority, search results", async ({ page }) => {
  await signUpViaApi(page, { name: "Grace Hopper", email: `grace-lists-${Date.now()}@example.com`, password: newAccount("x").password });
  const work = await createListViaApi(page, "Work");
  const home = await createListViaApi(page, "Home & garden");
  await createListViaApi(page, "Reading list for the long winter evenings");
  const at = (day: number, hour: number) => new Date(Date.UTC(2030, 2, day, hour)).toISOString();
  await createTaskViaApi(page, { title: "Renew the TLS certificates", list_id: work, priority: "high", due_at: at(3, 9) });
  await createTaskViaApi(page, { title: "Draft the Q3 roadmap", description: "Collect input from support and sales first.", list_id: work, priority: "medium", due_at: at(12, 16) });
  await createTaskViaApi(page, { title: "Fix the garden fence", list_id: home, priority: "low" });
  await createTaskViaApi(page, { title: "Write the quarterly report", list_id: work, due_at: at(28, 17) });
  await createTaskViaApi(page, { title: "Reply to the security questionnaire", list_id: work, priority: "high" });
  await createTaskViaApi(page, { title: "Report the broken lamp", priority: "medium", due_at: "2021-05-01T08:00:00Z" });

  // The sidebar with "Work" selected and the Due date sort. At 360 px it is folded by default:
  // open it first, so that both pictures show the lists.
  await page.goto("/admin");
  await selectList(page, "Work");
  await sortTasks(page, "Due date");
  await expect(taskTitles(page)).toHaveText([
    "Renew the TLS certificates",
    "Draft the Q3 roadmap",
    "Write the quarterly report",
    "Reply to the security questionnaire",
  ]);
  await page.setViewportSize(VIEWPORTS.mobile);
  await listsSidebar(page).getByRole("button", { name: "Show lists" }).click();
  await screenshotBoth(page, "lists-filter");

  // The create form with a list, a due date and a priority; and a task's edit form.
  await page.setViewportSize(VIEWPORTS.mobile);
  await listsSidebar(page).getByRole("button", { name: "Hide lists" }).click();
  const form = page.getByRole("region", { name: "Add a task" });
  await form.getByLabel("Title").fill("Prepare the board meeting deck");
  await form.getByLabel("Description").fill("Numbers from finance by Friday.");
  await fillTaskDetails(form, { list: "Work", due: "2030-03-20T14:30", priority: "High" });
  await page.getByRole("list", { name: "Tasks" }).getByRole("button", { name: "Edit task: Draft the Q3 roadmap" }).click();
  await screenshotBoth(page, "task-form-details");
  await page.getByRole("form", { name: "Edit task: Draft the Q3 roadmap" }).getByRole("button", { name: "Cancel" }).click();

  // Search results across all lists, by priority.
  await page.setViewportSize(VIEWPORTS.desktop);
  await selectList(page, "All tasks");
  await sortTasks(page, "Priority");
  await taskSearch(page).fill("re");
  await expect(taskTitles(page)).toHaveText([
    "Reply to the security questionnaire",
    "Renew the TLS certificates",
    "Report the broken lamp",
    "Write the quarterly report",
  ]);
  await screenshotBoth(page, "search-results");
});
