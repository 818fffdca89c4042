import { otherMethods, withUser } from "@/lib/http/route";
import { createTask, listTasks } from "@/lib/tasks/queries";
import { taskCreateSchema, taskListQuerySchema } from "@/lib/tasks/schema";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = withUser({ query: taskListQuerySchema }, async ({ user, query }) =>
  Response.json(await listTasks(user.id, query)),
);

export const POST = withUser({ body: taskCreateSchema }, async ({ user, body }) => {
  const task = await createTask(user.id, body);
  return Response.json(task, { status: 201, headers: { Location: `/api/tasks/${task.id}` } });
});

const { notAllowed, OPTIONS } = otherMethods(["GET", "POST"]);
export { notAllowed as PUT, notAllowed as PATCH, notAllowed as DELETE, OPTIONS };
