import {
  addTaskWithDetailsViaUi,
  createListViaApi,
  createTaskViaApi,
  expect,
  fillTaskDetails,
  newAccount,
  selectList,
  signUpViaApi,
  sortTasks,
  taskRow,
  taskSearch,
  taskTitles,
  test,
  type TaskBody,
} from "./fixtures";

// Issue #11: due dates and priorities on the task forms, the Due date and Priority sorts, the
// search box, and "Load more" under each sort and filter.

test.describe("in the browser's time zone", () => {
  // Kolkata is UTC+05:30 all year: the offset the page must send, and the one it shows back in.
  test.use({ timezoneId: "Asia/Kolkata", locale: "en-GB" });

  test("due dates and priorities: set, shown, edited and cleared; the Due and Priority sorts order the rows", async ({ page }) => {
    await signUpViaApi(page, newAccount("Due"));
    await page.goto("/admin");

    const created = page.waitForResponse((r) => r.url().endsWith("/api/tasks") && r.request().method() === "POST");
    await addTaskWithDetailsViaUi(page, "Pay rent", { due: "2030-01-05T09:00", priority: "High" });
    const response = await created;
    expect(response.request().postDataJSON()).toMatchObject({ title: "Pay rent", due_at: "2030-01-05T09:00:00+05:30", priority: "high", list_id: null });
    expect(await response.json()).toMatchObject({ due_at: "2030-01-05T03:30:00.000Z", priority: "high" });

    await addTaskWithDetailsViaUi(page, "Call the plumber", { due: "2030-01-03T18:30", priority: "Low" });
    await addTaskWithDetailsViaUi(page, "Read a book", { priority: "Medium" });
    await addTaskWithDetailsViaUi(page, "Water the plants", { due: "2030-01-04T08:00" });
    await addTaskWithDetailsViaUi(page, "Renew the passport", { due: "2021-06-01T10:00", priority: "High" });

    // Shown in the user's locale and time zone; past due dates are marked.
    const rent = taskRow(page, "Pay rent");
    await expect(rent.getByTestId("task-due")).toHaveText("Due 5 Jan 2030, 09:00");
    await expect(rent.getByTestId("task-priority")).toHaveText("High priority");
    await expect(taskRow(page, "Water the plants").getByTestId("task-priority")).toHaveCount(0);
    await expect(taskRow(page, "Read a book").getByTestId("task-due")).toHaveCount(0);
    await expect(taskRow(page, "Renew the passport").getByTestId("task-due")).toHaveText("Overdue 1 Jun 2021, 10:00");

    const newest = ["Renew the passport", "Water the plants", "Read a book", "Call the plumber", "Pay rent"];
    await expect(taskTitles(page)).toHaveText(newest);
    await sortTasks(page, "Due date");
    await expect(taskTitles(page)).toHaveText(["Renew the passport", "Call the plumber", "Water the plants", "Pay rent", "Read a book"]);
    await sortTasks(page, "Priority");
    await expect(taskTitles(page)).toHaveText(["Renew the passport", "Pay rent", "Read a book", "Call the plumber", "Water the plants"]);
    await sortTasks(page, "Newest");
    await expect(taskTitles(page)).toHaveText(newest);

    // Edited under the Due sort: the row moves to where the API would put it.
    await sortTasks(page, "Due date");
    await taskRow(page, "Read a book").getByRole("button", { name: /^Edit/ }).click();
    const edit = page.getByRole("form", { name: "Edit task: Read a book" });
    await expect(edit.getByLabel("Due")).toHaveValue("");
    await expect(edit.getByLabel("Priority")).toHaveValue("medium");
    await fillTaskDetails(edit, { due: "2030-01-04T07:59", priority: "Low" });
    await edit.getByRole("button", { name: "Save" }).click();
    await expect(taskTitles(page)).toHaveText(["Renew the passport", "Call the plumber", "Read a book", "Water the plants", "Pay rent"]);
    await expect(taskRow(page, "Read a book").getByTestId("task-priority")).toHaveText("Low priority");

    // A due date is cleared in the edit form: PATCH sends null, and the task goes last.
    await taskRow(page, "Pay rent").getByRole("button", { name: /^Edit/ }).click();
    const editRent = page.getByRole("form", { name: "Edit task: Pay rent" });
    await expect(editRent.getByLabel("Due")).toHaveValue("2030-01-05T09:00");
    const patched = page.waitForRequest((r) => r.url().includes("/api/tasks/") && r.method() === "PATCH");
    await fillTaskDetails(editRent, { due: "" });
    await expect(editRent.getByLabel("Due")).toHaveValue("");
    await expect(editRent.getByLabel("Due")).toBeFocused();
    await editRent.getByRole("button", { name: "Save" }).click();
    expect((await patched).postDataJSON()).toMatchObject({ due_at: null, priority: "high" });
    await expect(taskTitles(page)).toHaveText(["Renew the passport", "Call the plumber", "Read a book", "Water the plants", "Pay rent"]);
    await expect(taskRow(page, "Pay rent").getByTestId("task-due")).toHaveCount(0);

    // The API agrees after a reload.
    await page.reload();
    await sortTasks(page, "Due date");
    await expect(taskTitles(page)).toHaveText(["Renew the passport", "Call the plumber", "Read a book", "Water the plants", "Pay rent"]);
    await sortTasks(page, "Priority");
    await expect(taskTitles(page)).toHaveText(["Renew the passport", "Pay rent", "Read a book", "Call the plumber", "Water the plants"]);
  });
});

test("due date and priority with the keyboard only", async ({ page }) => {
  await signUpViaApi(page, newAccount("KeyDue"));
  await page.goto("/admin");
  const form = page.getByRole("region", { name: "Add a task" });
  await form.getByLabel("Title").fill("Chosen by keys");
  await form.getByLabel("Priority").focus();
  await page.keyboard.press("ArrowDown"); // None → Low
  await page.keyboard.press("ArrowDown"); // → Medium
  await expect(form.getByLabel("Priority")).toHaveValue("medium");
  await form.getByLabel("Due").focus();
  // en-US segments: month, day, year, then Tab to the hour, minute and AM/PM.
  await page.keyboard.type("01022030");
  await page.keyboard.press("Tab");
  await page.keyboard.type("0930A");
  await expect(form.getByLabel("Due")).toHaveValue("2030-01-02T09:30");
  await page.keyboard.press("Enter");
  const row = taskRow(page, "Chosen by keys");
  await expect(row.getByTestId("task-priority")).toHaveText("Medium priority");
  await expect(row.getByTestId("task-due")).toBeVisible();
});

test("search narrows the list after a pause in typing, and combines with lists and sorts", async ({ page }) => {
  await signUpViaApi(page, newAccount("Seek"));
  const work = await createListViaApi(page, "Work");
  for (const task of [
    { title: "Quarterly report", list_id: work, priority: "high" },
    { title: "Expense REPORT", priority: "low" },
    { title: "Buy milk" },
    { title: "Report the broken lamp", list_id: work, priority: "medium" },
    { title: "100% done? no_underscore" },
  ] satisfies TaskBody[]) {
    await createTaskViaApi(page, task);
  }
  await page.goto("/admin");
  await expect(taskTitles(page)).toHaveCount(5);

  // Typing sends one search, once it pauses: not one per keystroke.
  const searches: string[] = [];
  page.on("request", (request) => {
    const url = new URL(request.url());
    if (url.pathname === "/api/tasks" && url.searchParams.has("q")) searches.push(url.searchParams.get("q")!);
  });
  await taskSearch(page).pressSequentially("report", { delay: 40 });
  await expect(taskTitles(page)).toHaveText(["Report the broken lamp", "Expense REPORT", "Quarterly report"]);
  expect(searches.at(-1)).toBe("report");
  expect(searches.length).toBeLessThanOrEqual(2); // six keystrokes

  // With a list and a sort.
  await selectList(page, "Work");
  await expect(taskTitles(page)).toHaveText(["Report the broken lamp", "Quarterly report"]);
  await sortTasks(page, "Priority");
  await expect(taskTitles(page)).toHaveText(["Quarterly report", "Report the broken lamp"]);
  await selectList(page, "All tasks");
  await expect(taskTitles(page)).toHaveText(["Quarterly report", "Report the broken lamp", "Expense REPORT"]);

  // Characters with a meaning in SQL patterns match themselves; Enter searches at once.
  await taskSearch(page).fill("100%");
  await taskSearch(page).press("Enter");
  await expect(taskTitles(page)).toHaveText(["100% done? no_underscore"]);
  await taskSearch(page).fill("o_u");
  await expect(taskTitles(page)).toHaveText(["100% done? no_underscore"]);

  // Nothing matches: an empty state that says so, as text.
  await taskSearch(page).fill("<b>zzz</b>");
  await expect(page.getByTestId("empty-state")).toContainText("No tasks match “<b>zzz</b>”");
  await expect(page.locator("main b")).toHaveCount(0);

  // A new task that does not match the search is created but not shown; one that does is.
  const form = page.getByRole("region", { name: "Add a task" });
  await taskSearch(page).fill("lamp");
  await expect(taskTitles(page)).toHaveText(["Report the broken lamp"]);
  await form.getByLabel("Title").fill("Water the garden");
  await form.getByRole("button", { name: "Add task" }).click();
  await expect(form.getByLabel("Title")).toHaveValue("");
  await form.getByLabel("Title").fill("Fix the lamp shade");
  await form.getByRole("button", { name: "Add task" }).click();
  await expect(taskTitles(page)).toHaveText(["Report the broken lamp", "Fix the lamp shade"]);

  // Cleared: everything again (still sorted by priority).
  await taskSearch(page).fill("");
  await expect(taskTitles(page)).toHaveCount(7);
});

test('"Load more" works under each sort, list and search, and starts over when they change', async ({ page }) => {
  test.slow();
  await signUpViaApi(page, newAccount("PagerPlus"));
  const big = await createListViaApi(page, "Big");
  const priorities = ["none", "low", "medium", "high"] as const;
  // 30 in "Big" with due dates and priorities in mixed orders, 15 in no list.
  const titles: string[] = [];
  for (let index = 1; index <= 45; index++) {
    const title = `Task ${String(index).padStart(2, "0")}`;
    titles.push(title);
    const inBig = index <= 30;
    await createTaskViaApi(page, {
      title,
      list_id: inBig ? big : null,
      priority: priorities[(index * 7) % 4],
      // Every third undated; the others spread over days, not in creation order.
      due_at: index % 3 === 0 ? null : new Date(Date.UTC(2030, 0, 1 + ((index * 11) % 40), 12)).toISOString(),
    });
  }
  const apiOrder = async (query: string) => {
    const all: string[] = [];
    let cursor: string | null = null;
    do {
      const page_: { items: { title: string }[]; next_cursor: string | null } = await (
        await page.request.get(`/api/tasks?limit=100&${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`)
      ).json();
      all.push(...page_.items.map((task) => task.title));
      cursor = page_.next_cursor;
    } while (cursor);
    return all;
  };

  await page.goto("/admin");
  await expect(taskTitles(page)).toHaveCount(20);
  const more = page.getByRole("button", { name: "Load more" });

  async function pageThrough(expected: string[], sort: string | null) {
    await expect(taskTitles(page)).toHaveText(expected.slice(0, 20));
    let shown = 20;
    while (shown < expected.length) {
      const next = page.waitForRequest((request) => {
        const url = new URL(request.url());
        return url.pathname === "/api/tasks" && url.searchParams.has("cursor") && url.searchParams.get("sort") === sort;
      });
      await more.click();
      await next;
      shown = Math.min(shown + 20, expected.length);
      await expect(taskTitles(page)).toHaveText(expected.slice(0, shown));
    }
    await expect(more).toHaveCount(0);
    await expect(page.getByTestId("task-count")).toHaveText(`${expected.length} tasks`);
  }

  await sortTasks(page, "Priority");
  const byPriority = await apiOrder("sort=priority");
  expect(byPriority).toHaveLength(45);
  await pageThrough(byPriority, "priority");

  await sortTasks(page, "Due date");
  const byDue = await apiOrder("sort=due");
  expect(byDue.slice(-15).every((title) => Number(title.slice(5)) % 3 === 0)).toBe(true); // undated last
  await pageThrough(byDue, "due");

  await selectList(page, "Big");
  await pageThrough(await apiOrder(`sort=due&list_id=${big}`), "due");

  await selectList(page, "No list");
  await expect(taskTitles(page)).toHaveText(await apiOrder("sort=due&list_id=none"));
  await expect(more).toHaveCount(0);

  const searched = (has: boolean) =>
    page.waitForResponse((response) => {
      const url = new URL(response.url());
      return url.pathname === "/api/tasks" && url.searchParams.has("q") === has && !url.searchParams.has("cursor");
    });
  await selectList(page, "All tasks");
  const withQuery = searched(true);
  await taskSearch(page).fill("Task");
  await withQuery;
  await sortTasks(page, "Priority");
  await pageThrough(byPriority, "priority");

  const withoutQuery = searched(false);
  await taskSearch(page).fill("");
  await withoutQuery;
  await sortTasks(page, "Newest");
  await pageThrough([...titles].reverse(), null);
});
