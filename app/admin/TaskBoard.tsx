"use client";

import { useCallback, useEffect, useId, useRef, useState } from "react";
import { listTasks, toApiFailure, type ApiFailure, type Task } from "./api";
import { CreateTaskForm } from "./CreateTaskForm";
import { useServiceStatus } from "./service-status";
import { TaskItem } from "./TaskItem";

type Filter = "all" | "open" | "completed";

const FILTERS: { value: Filter; label: string }[] = [
  { value: "all", label: "All" },
  { value: "open", label: "Open" },
  { value: "completed", label: "Completed" },
];

const completedFor = (filter: Filter) => (filter === "all" ? undefined : filter === "completed");
const matches = (task: Task, filter: Filter) => filter === "all" || task.completed === (filter === "completed");

const EMPTY: Record<Filter, { title: string; body: string }> = {
  all: { title: "No tasks yet", body: "Add your first task above and it will show up here." },
  open: { title: "Nothing open", body: "Every task is done. Nice work!" },
  completed: { title: "No completed tasks", body: "Tasks you tick off will show up here." },
};

type ListState =
  | { kind: "loading" }
  | { kind: "error"; error: ApiFailure }
  | { kind: "ready" };

export function TaskBoard() {
  const [filter, setFilter] = useState<Filter>("all");
  const [items, setItems] = useState<Task[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [list, setList] = useState<ListState>({ kind: "loading" });
  const [loadingMore, setLoadingMore] = useState(false);
  const [moreError, setMoreError] = useState<ApiFailure | null>(null);
  const [announcement, setAnnouncement] = useState("");
  const { recoveries } = useServiceStatus();
  const request = useRef(0);
  const headingRef = useRef<HTMLHeadingElement>(null);
  const id = useId();

  const load = useCallback(async (which: Filter) => {
    const current = ++request.current;
    setList({ kind: "loading" });
    setMoreError(null);
    try {
      const page = await listTasks({ completed: completedFor(which) });
      if (current !== request.current) return;
      setItems(page.items);
      setCursor(page.next_cursor);
      setList({ kind: "ready" });
    } catch (caught) {
      if (current !== request.current) return;
      setList({ kind: "error", error: toApiFailure(caught) });
    }
  }, []);

  useEffect(() => {
    void load(filter);
  }, [filter, load]);

  // A list that failed (e.g. the database was down) loads again by itself once the API is back.
  const failed = list.kind === "error";
  useEffect(() => {
    if (recoveries > 0 && failed) void load(filter);
  }, [recoveries]); // only on a recovery, not on every change of the list

  async function loadMore() {
    if (!cursor || loadingMore) return;
    const current = request.current;
    setLoadingMore(true);
    setMoreError(null);
    try {
      const page = await listTasks({ completed: completedFor(filter), cursor });
      if (current !== request.current) return;
      setItems((previous) => {
        const seen = new Set(previous.map((task) => task.id));
        return [...previous, ...page.items.filter((task) => !seen.has(task.id))];
      });
      setCursor(page.next_cursor);
      setAnnouncement(`Loaded ${page.items.length} more ${page.items.length === 1 ? "task" : "tasks"}.`);
    } catch (caught) {
      if (current === request.current) setMoreError(toApiFailure(caught));
    } finally {
      if (current === request.current) setLoadingMore(false);
    }
  }

  function chooseFilter(next: Filter) {
    if (next === filter) {
      if (list.kind === "error") void load(next);
      return;
    }
    setLoadingMore(false);
    setFilter(next);
  }

  function created(task: Task) {
    if (matches(task, filter)) {
      setItems((previous) => [task, ...previous.filter((item) => item.id !== task.id)]);
      setAnnouncement(`Added “${task.title}”.`);
    } else {
      setAnnouncement(`Added “${task.title}”. It is hidden by the ${filter} filter.`);
    }
  }

  function updated(task: Task, change: "completed" | "edited") {
    if (matches(task, filter)) {
      setItems((previous) => previous.map((item) => (item.id === task.id ? task : item)));
    } else {
      setItems((previous) => previous.filter((item) => item.id !== task.id));
      headingRef.current?.focus();
    }
    setAnnouncement(
      change === "completed"
        ? `Marked “${task.title}” as ${task.completed ? "completed" : "open"}.`
        : `Saved “${task.title}”.`,
    );
  }

  function removed(taskId: number, message: string) {
    setItems((previous) => previous.filter((item) => item.id !== taskId));
    setAnnouncement(message);
    headingRef.current?.focus();
  }

  const listBusy = list.kind === "loading";

  return (
    <div className="board">
      <CreateTaskForm onCreated={created} />

      <section className="card list-card" aria-labelledby={`${id}-heading`} aria-busy={listBusy}>
        <div className="list-head">
          <h2 id={`${id}-heading`} ref={headingRef} tabIndex={-1} className="card-title">
            Your tasks
          </h2>
          <div className="segmented" role="group" aria-label="Show tasks">
            {FILTERS.map(({ value, label }) => (
              <button
                key={value}
                type="button"
                className="segment"
                aria-pressed={filter === value}
                onClick={() => chooseFilter(value)}
              >
                {label}
              </button>
            ))}
          </div>
        </div>

        {list.kind === "loading" ? (
          <div className="list-placeholder" role="status">
            <span className="spinner" aria-hidden="true" /> Loading tasks…
          </div>
        ) : list.kind === "error" ? (
          <div className="list-placeholder list-failed" role="alert">
            <p>
              <strong>Couldn&rsquo;t load your tasks.</strong> {list.error.detail}
            </p>
            <button type="button" className="button button-secondary" onClick={() => void load(filter)}>
              Try again
            </button>
          </div>
        ) : items.length === 0 ? (
          <div className="empty" data-testid="empty-state">
            <div className="empty-icon" aria-hidden="true">
              ☐
            </div>
            <p className="empty-title">{EMPTY[filter].title}</p>
            <p className="muted">{EMPTY[filter].body}</p>
          </div>
        ) : (
          <ul className="tasks" aria-label="Tasks">
            {items.map((task) => (
              <TaskItem
                key={task.id}
                task={task}
                onUpdated={updated}
                onDeleted={(taskId) => removed(taskId, `Deleted “${task.title}”.`)}
                onMissing={(taskId) => removed(taskId, `“${task.title}” no longer exists.`)}
              />
            ))}
          </ul>
        )}

        {list.kind === "ready" && (items.length > 0 || cursor) ? (
          <div className="list-foot">
            <span className="muted" data-testid="task-count">
              {cursor
                ? `Showing ${items.length} ${items.length === 1 ? "task" : "tasks"}`
                : `${items.length} ${items.length === 1 ? "task" : "tasks"}`}
            </span>
            {moreError ? (
              <span className="row-error" role="alert">
                {moreError.detail}
              </span>
            ) : null}
            {cursor ? (
              <button type="button" className="button button-secondary" onClick={loadMore} disabled={loadingMore}>
                {loadingMore ? "Loading…" : moreError ? "Try again" : "Load more"}
              </button>
            ) : null}
          </div>
        ) : null}

        <p className="sr-only" role="status" aria-live="polite">
          {announcement}
        </p>
      </section>
    </div>
  );
}
