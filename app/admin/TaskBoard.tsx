"use client";

import { useId, useRef, useState } from "react";
import type { List, Task, TaskSort } from "./api";
import { CreateTaskForm } from "./CreateTaskForm";
import { ListsSidebar } from "./ListsSidebar";
import { TaskItem } from "./TaskItem";
import { TaskToolbar } from "./TaskToolbar";
import { place, type ListFilter, type StatusFilter, type TaskView } from "./task-view";
import { useLists } from "./useLists";
import { useSearch } from "./useSearch";
import { useTaskPages } from "./useTaskPages";

const STATUSES: { value: StatusFilter; label: string }[] = [
  { value: "all", label: "All" },
  { value: "open", label: "Open" },
  { value: "completed", label: "Completed" },
];

function emptyText(view: TaskView, listName: string): { title: string; body: string } {
  if (view.q) return { title: `No tasks match “${view.q}”`, body: "Try other words, or clear the search." };
  if (view.status === "open") return { title: "Nothing open", body: "Every task here is done. Nice work!" };
  if (view.status === "completed") return { title: "No completed tasks", body: "Tasks you tick off will show up here." };
  if (view.list === "none") return { title: "Every task is in a list", body: "Tasks in no list show up here." };
  if (view.list !== "all") return { title: `Nothing in ${listName} yet`, body: "Add a task above: it goes in this list." };
  return { title: "No tasks yet", body: "Add your first task above and it will show up here." };
}

export function TaskBoard() {
  const [list, setList] = useState<ListFilter>("all");
  const [status, setStatus] = useState<StatusFilter>("all");
  const [sort, setSort] = useState<TaskSort>("created");
  const search = useSearch();
  const view: TaskView = { list, status, sort, q: search.query };
  const lists = useLists();
  const pages = useTaskPages(view);
  // Read out to screen readers; shown to everyone too when a task turned out to be deleted elsewhere.
  const [announcement, setAnnouncement] = useState({ text: "", visible: false });
  const announce = (text: string, visible = false) => setAnnouncement({ text, visible });
  const headingRef = useRef<HTMLHeadingElement>(null);
  const id = useId();

  const listName =
    list === "all" ? "All tasks" : list === "none" ? "No list" : (lists.lists.find((item) => item.id === list)?.name ?? "List");

  function chooseStatus(next: StatusFilter) {
    if (next === status) {
      if (pages.state.kind === "error") void pages.reload();
      return;
    }
    setStatus(next);
  }

  function chooseList(next: ListFilter) {
    if (next === list && pages.state.kind === "error") void pages.reload();
    setList(next);
  }

  async function loadMore() {
    const count = await pages.loadMore();
    if (count !== null) announce(`Loaded ${count} more ${count === 1 ? "task" : "tasks"}.`);
  }

  /** Puts a new or changed task where the view would have it; returns whether it is shown. */
  function put(task: Task): boolean {
    const more = pages.cursor !== null;
    pages.edit((previous) => place(previous, task, view, more).items);
    return place(pages.items, task, view, more).shown;
  }

  function created(task: Task) {
    const shown = put(task);
    announce(shown ? `Added “${task.title}”.` : `Added “${task.title}”. The current list, filter or search does not show it.`);
  }

  function updated(task: Task, change: "completed" | "edited") {
    if (!put(task)) headingRef.current?.focus();
    announce(change === "completed" ? `Marked “${task.title}” as ${task.completed ? "completed" : "open"}.` : `Saved “${task.title}”.`);
  }

  /** The current version of a task being edited: replaced where it is, so the editor stays put until its save. */
  function refreshed(task: Task) {
    pages.edit((previous) => previous.map((item) => (item.id === task.id ? task : item)));
  }

  function removed(taskId: number, message: string, visible = false) {
    pages.edit((previous) => previous.filter((item) => item.id !== taskId));
    announce(message, visible);
    headingRef.current?.focus();
  }

  function listCreated(made: List) {
    lists.put(made);
    announce(`Created the list “${made.name}”.`);
  }

  function listRenamed(renamed: List) {
    lists.put(renamed);
    announce(`Renamed the list to “${renamed.name}”.`);
  }

  function listGone(listId: number, message: string) {
    lists.remove(listId);
    announce(message);
    // Its tasks are in no list now: show the tasks again as they are.
    if (list === listId) setList("all");
    else void pages.reload();
  }

  const { items, cursor, state } = pages;
  const empty = emptyText(view, listName);

  return (
    <div className="workspace">
      <ListsSidebar
        state={lists.state}
        selected={list}
        selectedName={listName}
        onSelect={chooseList}
        onRetry={() => void lists.reload()}
        onCreated={listCreated}
        onRenamed={listRenamed}
        onDeleted={(listId) => listGone(listId, "Deleted the list. Its tasks are now in no list.")}
        onMissing={(listId) => listGone(listId, "That list no longer exists.")}
      />

      <div className="board">
        <CreateTaskForm lists={lists.lists} defaultListId={typeof list === "number" ? list : null} onCreated={created} />

        <section className="card list-card" aria-labelledby={`${id}-heading`} aria-busy={state.kind === "loading"}>
          <div className="list-head">
            <h2 id={`${id}-heading`} ref={headingRef} tabIndex={-1} className="card-title list-title" data-testid="task-list-heading">
              {listName}
            </h2>
            <div className="segmented" role="group" aria-label="Show tasks">
              {STATUSES.map(({ value, label }) => (
                <button key={value} type="button" className="segment" aria-pressed={status === value} onClick={() => chooseStatus(value)}>
                  {label}
                </button>
              ))}
            </div>
          </div>
          <TaskToolbar search={search.text} onSearch={search.setText} onSearchNow={search.flush} sort={sort} onSort={setSort} />
          <p className={announcement.visible ? "notice list-notice" : "sr-only"} role="status" aria-live="polite">
            {announcement.text}
          </p>

          {state.kind === "loading" ? (
            <div className="list-placeholder" role="status">
              <span className="spinner" aria-hidden="true" /> Loading tasks…
            </div>
          ) : state.kind === "error" ? (
            <div className="list-placeholder list-failed" role="alert">
              <p>
                <strong>Couldn&rsquo;t load your tasks.</strong> {state.error.detail}
              </p>
              <button type="button" className="button button-secondary" onClick={() => void pages.reload()}>
                Try again
              </button>
            </div>
          ) : items.length === 0 ? (
            <div className="empty" data-testid="empty-state">
              <div className="empty-icon" aria-hidden="true">
                ☐
              </div>
              <p className="empty-title">{empty.title}</p>
              <p className="muted">{empty.body}</p>
            </div>
          ) : (
            <ul className="tasks" aria-label="Tasks">
              {items.map((task) => (
                <TaskItem
                  key={task.id}
                  task={task}
                  lists={lists.lists}
                  showList={list === "all"}
                  onUpdated={updated}
                  onRefreshed={refreshed}
                  onDeleted={(taskId) => removed(taskId, `Deleted “${task.title}”.`)}
                  onMissing={(taskId) => removed(taskId, `“${task.title}” no longer exists: it was deleted elsewhere.`, true)}
                />
              ))}
            </ul>
          )}

          {state.kind === "ready" && (items.length > 0 || cursor) ? (
            <div className="list-foot">
              <span className="muted" data-testid="task-count">
                {cursor ? `Showing ${items.length} ${items.length === 1 ? "task" : "tasks"}` : `${items.length} ${items.length === 1 ? "task" : "tasks"}`}
              </span>
              {pages.moreError ? (
                <span className="row-error" role="alert">
                  {pages.moreError.detail}
                </span>
              ) : null}
              {cursor ? (
                <button type="button" className="button button-secondary" onClick={loadMore} disabled={pages.loadingMore}>
                  {pages.loadingMore ? "Loading…" : pages.moreError ? "Try again" : "Load more"}
                </button>
              ) : null}
            </div>
          ) : null}
        </section>
      </div>
    </div>
  );
}
