import {
  addTaskWithDetailsViaUi,
  createListViaApi,
  createListViaUi,
  createTaskViaApi,
  DATABASE_OUTAGE,
  expect,
  fillTaskDetails,
  listEntry,
  listNames,
  listsSidebar,
  newAccount,
  originHeader,
  selectList,
  signUpViaApi,
  taskRow,
  taskTitles,
  test,
} from "./fixtures";

// Issue #11: the lists sidebar, the list picker, and filtering by list.

test("lists: create, rename (a clash refused at the field), pick for tasks, filter, delete keeps the tasks", async ({ page, guard }) => {
  guard.allowHttpStatus(409);
  await signUpViaApi(page, newAccount("Lister"));
  await page.goto("/admin");
  const sidebar = listsSidebar(page);
  await expect(sidebar.getByTestId("lists-empty")).toBeVisible();
  await expect(listNames(page)).toHaveText(["All tasks", "No list"]);
  await expect(listEntry(page, "All tasks").getByRole("button")).toHaveAttribute("aria-current", "true");

  // Create three; the sidebar keeps the API's order (by name, ignoring case).
  await createListViaUi(page, "Work");
  await createListViaUi(page, "home");
  await createListViaUi(page, "Errands");
  await expect(listNames(page)).toHaveText(["All tasks", "No list", "Errands", "home", "Work"]);
  await expect(sidebar.getByTestId("lists-empty")).toHaveCount(0);

  // A name already used, in another case: refused at the field, and the input says why.
  const newList = sidebar.getByRole("form", { name: "Create a list" });
  await newList.getByLabel("New list").fill("WORK");
  await newList.getByRole("button", { name: "Add list", exact: true }).click();
  await expect(newList.getByTestId("list-name-error")).toHaveText("You already have a list with this name.");
  await expect(newList.getByLabel("New list")).toHaveAttribute("aria-invalid", "true");
  await expect(newList.getByLabel("New list")).toHaveAccessibleDescription(/already have a list with this name/);
  await expect(newList.getByLabel("New list")).toBeFocused();
  await newList.getByLabel("New list").fill("");
  await expect(newList.getByTestId("list-name-error")).toHaveCount(0);

  // Rename: a clash is refused at the field, Escape cancels, then a good name is saved.
  await listEntry(page, "home").getByRole("button", { name: "Rename list: home" }).click();
  const rename = sidebar.getByRole("form", { name: "Rename list: home" });
  await expect(rename.getByLabel("List name")).toBeFocused();
  await rename.getByLabel("List name").fill("work");
  await rename.getByRole("button", { name: "Save" }).click();
  await expect(rename.getByTestId("list-rename-error")).toHaveText("You already have a list with this name.");
  await expect(rename.getByLabel("List name")).toHaveAttribute("aria-invalid", "true");
  await expect(rename.getByLabel("List name")).toBeFocused();
  await rename.getByLabel("List name").press("Escape");
  await expect(listNames(page)).toHaveText(["All tasks", "No list", "Errands", "home", "Work"]);
  await expect(listEntry(page, "home").getByRole("button", { name: "Rename list: home" })).toBeFocused();
  await page.keyboard.press("Enter");
  await sidebar.getByRole("form", { name: "Rename list: home" }).getByLabel("List name").fill("Home & garden");
  await page.keyboard.press("Enter");
  await expect(listNames(page)).toHaveText(["All tasks", "No list", "Errands", "Home & garden", "Work"]);
  await expect(listEntry(page, "Home & garden").getByRole("button", { name: "Rename list: Home & garden" })).toBeFocused();

  // Tasks go in lists through the picker; in "All tasks" each row names its list.
  await addTaskWithDetailsViaUi(page, "Ship v2", { list: "Work" });
  await addTaskWithDetailsViaUi(page, "Buy milk", { list: "Errands" });
  await addTaskWithDetailsViaUi(page, "Loose end", { list: "No list" });
  await expect(taskTitles(page)).toHaveText(["Loose end", "Buy milk", "Ship v2"]);
  await expect(taskRow(page, "Ship v2").getByTestId("task-list")).toHaveText("List: Work");
  await expect(taskRow(page, "Buy milk").getByTestId("task-list")).toHaveText("List: Errands");
  await expect(taskRow(page, "Loose end").getByTestId("task-list")).toHaveCount(0);

  // Filter by list: the create form's picker follows the selected list.
  await selectList(page, "Work");
  await expect(taskTitles(page)).toHaveText(["Ship v2"]);
  await expect(listEntry(page, "All tasks").getByRole("button")).not.toHaveAttribute("aria-current", "true");
  const form = page.getByRole("region", { name: "Add a task" });
  await expect(form.getByLabel("List", { exact: true }).locator("option:checked")).toHaveText("Work");
  await form.getByLabel("Title").fill("Plan the sprint");
  await form.getByRole("button", { name: "Add task" }).click();
  await expect(taskTitles(page)).toHaveText(["Plan the sprint", "Ship v2"]);
  // A task added to another list from here is created, but not shown in this one.
  await addTaskWithDetailsViaUi(page, "Fix the fence", { list: "Home & garden" });
  await expect(page.getByRole("status").filter({ hasText: "Added “Fix the fence”" })).toContainText("does not show it");
  await expect(taskTitles(page)).toHaveText(["Plan the sprint", "Ship v2"]);

  await selectList(page, "No list");
  await expect(form.getByLabel("List", { exact: true }).locator("option:checked")).toHaveText("No list");
  await expect(taskTitles(page)).toHaveText(["Loose end"]);
  await selectList(page, "Home & garden");
  await expect(taskTitles(page)).toHaveText(["Fix the fence"]);
  await selectList(page, "All tasks");
  await expect(taskTitles(page)).toHaveText(["Fix the fence", "Plan the sprint", "Loose end", "Buy milk", "Ship v2"]);

  // Moving a task to another list in its edit form takes it out of the list shown.
  await selectList(page, "Errands");
  await taskRow(page, "Buy milk").getByRole("button", { name: /^Edit/ }).click();
  const edit = page.getByRole("form", { name: "Edit task: Buy milk" });
  await expect(edit.getByLabel("List", { exact: true }).locator("option:checked")).toHaveText("Errands");
  await fillTaskDetails(edit, { list: "Work" });
  await edit.getByRole("button", { name: "Save" }).click();
  await expect(page.getByTestId("empty-state")).toContainText("Nothing in Errands yet");
  await selectList(page, "Work");
  await expect(taskTitles(page)).toHaveText(["Plan the sprint", "Buy milk", "Ship v2"]);

  // Delete a list: an inline confirmation (declined first), and its tasks stay, under "No list".
  const work = listEntry(page, "Work");
  await work.getByRole("button", { name: "Delete list: Work" }).click();
  await expect(work.getByText("Delete “Work”? Its tasks stay, under No list.")).toBeVisible();
  await expect(work.getByRole("button", { name: "Keep it" })).toBeFocused();
  await work.getByRole("button", { name: "Keep it" }).click();
  await expect(work.getByText("Delete “Work”?")).toHaveCount(0);
  await work.getByRole("button", { name: "Delete list: Work" }).click();
  await work.getByRole("button", { name: "Delete list", exact: true }).click();
  await expect(listNames(page)).toHaveText(["All tasks", "No list", "Errands", "Home & garden"]);
  await expect(listEntry(page, "All tasks").getByRole("button")).toHaveAttribute("aria-current", "true");
  await expect(taskTitles(page)).toHaveText(["Fix the fence", "Plan the sprint", "Loose end", "Buy milk", "Ship v2"]);
  await selectList(page, "No list");
  await expect(taskTitles(page)).toHaveText(["Plan the sprint", "Loose end", "Buy milk", "Ship v2"]);

  // The same after a reload, from the API.
  await page.reload();
  await expect(listNames(page)).toHaveText(["All tasks", "No list", "Errands", "Home & garden"]);
  await selectList(page, "No list");
  await expect(taskTitles(page)).toHaveText(["Plan the sprint", "Loose end", "Buy milk", "Ship v2"]);
  const lists = (await (await page.request.get("/api/lists")).json()) as { items: { name: string }[] };
  expect(lists.items.map((list) => list.name)).toEqual(["Errands", "Home & garden"]);
});

test("a list name with HTML in it is shown as text, in the sidebar, the picker and the rows", async ({ page }) => {
  const name = "<img src=x onerror=alert(1)><b>Bold</b>";
  await signUpViaApi(page, newAccount("XssList"));
  const listId = await createListViaApi(page, name);
  await createTaskViaApi(page, { title: "Inside", list_id: listId });
  await page.goto("/admin");
  await expect(listEntry(page, name)).toBeVisible();
  await expect(taskRow(page, "Inside").getByTestId("task-list")).toHaveText(`List: ${name}`);
  await selectList(page, name);
  await expect(page.getByRole("region", { name: "Add a task" }).getByLabel("List", { exact: true }).locator("option:checked")).toHaveText(name);
  await expect(page.locator("main img, main b")).toHaveCount(0);
  await page.waitForTimeout(300); // an injected onerror would open a dialog: the guard fails the test
});

test("list loading: empty, failed (with the banner) and recovered without a reload", async ({ page, guard }) => {
  guard.allowHttpStatus(503);
  await signUpViaApi(page, newAccount("ListOps"));
  await createListViaApi(page, "Back again");
  await page.route("**/api/lists**", (route) => route.fulfill(DATABASE_OUTAGE));
  await page.goto("/admin");
  const sidebar = listsSidebar(page);
  await expect(sidebar.getByRole("alert")).toContainText("Couldn’t load your lists.");
  await expect(page.getByTestId("service-banner")).toBeVisible();
  // "All tasks" and "No list" still work while the lists cannot load.
  await expect(listNames(page)).toHaveText(["All tasks", "No list"]);
  await expect(listEntry(page, "Back again")).toHaveCount(0);
  await page.unroute("**/api/lists**");
  await expect(page.getByTestId("service-banner")).toHaveCount(0, { timeout: 15_000 });
  await expect(listEntry(page, "Back again")).toBeVisible();
  await expect(sidebar.getByRole("alert")).toHaveCount(0);
});

test("narrow screen: the sidebar folds above the task list and names the selected list", async ({ page }) => {
  await page.setViewportSize({ width: 360, height: 740 });
  await signUpViaApi(page, newAccount("Narrow"));
  const listId = await createListViaApi(page, "Groceries for the long weekend away");
  await createTaskViaApi(page, { title: "Oat milk", list_id: listId });
  await createTaskViaApi(page, { title: "Call the landlord" });
  await page.goto("/admin");
  const sidebar = listsSidebar(page);
  const toggle = sidebar.getByRole("button", { name: "Show lists" });
  await expect(toggle).toHaveAttribute("aria-expanded", "false");
  await expect(listEntry(page, "No list")).toBeHidden();
  await expect(sidebar.locator(".sidebar-current")).toHaveText("All tasks");

  // Above the task list, and nothing wider than the screen.
  const sidebarBox = (await sidebar.boundingBox())!;
  const tasksBox = (await page.getByRole("list", { name: "Tasks", exact: true }).boundingBox())!;
  expect(sidebarBox.y + sidebarBox.height).toBeLessThanOrEqual(tasksBox.y);
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);

  await toggle.click();
  await expect(sidebar.getByRole("button", { name: "Hide lists" })).toHaveAttribute("aria-expanded", "true");
  await expect(listEntry(page, "Groceries for the long weekend away")).toBeVisible();
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
  await listEntry(page, "Groceries for the long weekend away").getByRole("button", { name: "Groceries for the long weekend away", exact: true }).click();
  // Choosing folds it again, showing the tasks, and names the choice.
  await expect(page.getByTestId("task-list-heading")).toHaveText("Groceries for the long weekend away");
  await expect(listEntry(page, "No list")).toBeHidden();
  await expect(sidebar.getByRole("button", { name: "Show lists" })).toBeVisible();
  await expect(sidebar.locator(".sidebar-current")).toHaveText("Groceries for the long weekend away");
  await expect(taskTitles(page)).toHaveText(["Oat milk"]);
});

test("the API refuses a list it does not know at the picker's field", async ({ page, guard }) => {
  guard.allowHttpStatus(400);
  await signUpViaApi(page, newAccount("Gone"));
  const listId = await createListViaApi(page, "Soon gone");
  await page.goto("/admin");
  await expect(listEntry(page, "Soon gone")).toBeVisible();
  // Deleted elsewhere (another tab): the page still offers it, the API refuses it at the field.
  expect((await page.request.delete(`/api/lists/${listId}`, { headers: originHeader() })).status()).toBe(204);
  const form = page.getByRole("region", { name: "Add a task" });
  await form.getByLabel("Title").fill("Orphan");
  await fillTaskDetails(form, { list: "Soon gone" });
  await form.getByRole("button", { name: "Add task" }).click();
  await expect(form.getByTestId("list-error")).toHaveText("Must be one of your lists.");
  await expect(form.getByLabel("List", { exact: true })).toBeFocused();
  await expect(form.getByLabel("List", { exact: true })).toHaveAttribute("aria-invalid", "true");
});
