import { expect, test } from "./fixtures";

// The interactive API reference (Swagger UI served from our own origin) in a real browser.
test("the API docs page loads and lists the task operations", async ({ page }) => {
  await page.goto("/api/docs");
  await expect(page.getByRole("heading", { name: /Task API/ })).toBeVisible();
  for (const operationId of ["listTasks", "createTask", "getTask", "replaceTask", "updateTask", "deleteTask", "signUpEmail"]) {
    await expect(page.getByText(operationId, { exact: true }).first()).toBeVisible();
  }
  await expect(page.getByRole("button", { name: /Authorize/ })).toBeVisible();
  await page.screenshot({ path: "test-results/screenshots/api-docs-desktop.png", fullPage: false });
});
