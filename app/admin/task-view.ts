import type { ListQuery, Priority, Task, TaskSort } from "./api";

// What the task list shows: one list (or none, or all), a status, a sort and a search. The
// same rules the API applies, so that a task created or edited on this page lands where a
// reload would put it, or leaves the view when it no longer belongs.

export type ListFilter = "all" | "none" | number;
export type StatusFilter = "all" | "open" | "completed";

export interface TaskView {
  list: ListFilter;
  status: StatusFilter;
  sort: TaskSort;
  /** The search as sent (trimmed); "" for none. */
  q: string;
}

export const SORTS: { value: TaskSort; label: string }[] = [
  { value: "created", label: "Newest" },
  { value: "due", label: "Due date" },
  { value: "priority", label: "Priority" },
];

export const PRIORITY_LABELS: Record<Priority, string> = { none: "None", low: "Low", medium: "Medium", high: "High" };
const PRIORITY_RANK: Record<Priority, number> = { none: 0, low: 1, medium: 2, high: 3 };

/** The API query for a view (without paging). */
export function queryOf(view: TaskView): ListQuery {
  return {
    ...(view.status === "all" ? {} : { completed: view.status === "completed" }),
    ...(view.list === "all" ? {} : { list_id: view.list }),
    ...(view.q ? { q: view.q } : {}),
    sort: view.sort,
  };
}

export function matches(task: Task, view: TaskView): boolean {
  if (view.status !== "all" && task.completed !== (view.status === "completed")) return false;
  if (view.list === "none" ? task.list_id !== null : view.list !== "all" && task.list_id !== view.list) return false;
  return !view.q || task.title.toLowerCase().includes(view.q.toLowerCase());
}

const dueTime = (task: Task) => (task.due_at ? new Date(task.due_at).getTime() : null);

/** The API's order: newest first; soonest due first, undated last; highest priority first. Ties by id. */
export function compareTasks(sort: TaskSort, a: Task, b: Task): number {
  if (sort === "due") {
    const [x, y] = [dueTime(a), dueTime(b)];
    if (x !== y) {
      if (x === null) return 1;
      if (y === null) return -1;
      return x - y;
    }
    return a.id - b.id;
  }
  if (sort === "priority") {
    const rank = PRIORITY_RANK[b.priority] - PRIORITY_RANK[a.priority];
    return rank !== 0 ? rank : b.id - a.id;
  }
  return b.id - a.id;
}

/**
 * The loaded rows with `task` (new or changed) where it belongs: dropped when the view excludes
 * it, and left for "Load more" when it sorts after the last loaded row and more pages follow.
 * Returns whether it is shown.
 */
export function place(items: Task[], task: Task, view: TaskView, hasMore: boolean): { items: Task[]; shown: boolean } {
  const rest = items.filter((item) => item.id !== task.id);
  if (!matches(task, view)) return { items: rest, shown: false };
  const index = rest.findIndex((item) => compareTasks(view.sort, task, item) < 0);
  if (index === -1) return hasMore ? { items: rest, shown: false } : { items: [...rest, task], shown: true };
  return { items: [...rest.slice(0, index), task, ...rest.slice(index)], shown: true };
}
