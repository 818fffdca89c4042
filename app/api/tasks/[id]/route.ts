import { otherMethods, withUser } from "@/lib/http/route";
import { deleteTask, getTask, replaceTask, updateTask } from "@/lib/tasks/queries";
import { taskParamsSchema, taskPatchSchema, taskReplaceSchema } from "@/lib/tasks/schema";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = withUser({ params: taskParamsSchema }, async ({ user, params }) =>
  Response.json(await getTask(user.id, params.id)),
);

export const PUT = withUser({ params: taskParamsSchema, body: taskReplaceSchema }, async ({ user, params, body }) =>
  Response.json(await replaceTask(user.id, params.id, body)),
);

export const PATCH = withUser({ params: taskParamsSchema, body: taskPatchSchema }, async ({ user, params, body }) =>
  Response.json(await updateTask(user.id, params.id, body)),
);

export const DELETE = withUser({ params: taskParamsSchema }, async ({ user, params }) => {
  await deleteTask(user.id, params.id);
  return new Response(null, { status: 204 });
});

const { notAllowed, OPTIONS } = otherMethods(["GET", "PUT", "PATCH", "DELETE"]);
export { notAllowed as POST, OPTIONS };
