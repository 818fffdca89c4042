"use client";

import { useId, useRef, useState } from "react";
import { deleteTask, getTask, toApiFailure, updateTask, type ApiFailure, type List, type Task, type VersionedTask } from "./api";
import { Confirm } from "./Confirm";
import { isOverdue } from "./dates";
import { formatDate } from "./fields";
import { TaskEditForm } from "./TaskEditForm";
import { PRIORITY_LABELS } from "./task-view";
import { useFocusAfterRender } from "./useAfterRender";

type Mode = "view" | "confirm-delete";
type Busy = null | "toggle" | "open" | "delete";
/** The version the editor starts from, and whether a save found that the task had changed since the one before. */
type Editing = VersionedTask & { changedElsewhere: boolean };

interface Props {
  task: Task;
  lists: List[];
  /** Name the task's list in the row (off when the view shows one list anyway). */
  showList: boolean;
  /** The API's version of the task after a change. */
  onUpdated: (task: Task, change: "completed" | "edited") => void;
  /** The API's current version, read for the editor: the row shows it where it is. */
  onRefreshed: (task: Task) => void;
  onDeleted: (id: number) => void;
  /** The task is gone on the server (404): drop it from the list. */
  onMissing: (id: number) => void;
}

export function TaskItem({ task, lists, showList, onUpdated, onRefreshed, onDeleted, onMissing }: Props) {
  const [mode, setMode] = useState<Mode>("view");
  const [editing, setEditing] = useState<Editing | null>(null);
  const [busy, setBusy] = useState<Busy>(null);
  const [error, setError] = useState<string | null>(null);
  const id = useId();
  const checkboxRef = useRef<HTMLInputElement>(null);
  const editButtonRef = useRef<HTMLButtonElement>(null);
  const deleteButtonRef = useRef<HTMLButtonElement>(null);
  const keepRef = useRef<HTMLButtonElement>(null);
  const focus = useFocusAfterRender();

  function fail(failure: ApiFailure): boolean {
    if (failure.status === 404) {
      onMissing(task.id);
      return true;
    }
    setError(failure.detail);
    return false;
  }

  async function toggle() {
    if (busy) return;
    setBusy("toggle");
    setError(null);
    try {
      const updated = await updateTask(task.id, { completed: !task.completed });
      setBusy(null);
      focus(checkboxRef);
      onUpdated(updated, "completed");
    } catch (caught) {
      if (!fail(toApiFailure(caught))) {
        setBusy(null);
        focus(checkboxRef);
      }
    }
  }

  // The list does not carry versions: the editor reads the task first, so that its save can name
  // the version it started from.
  async function startEdit() {
    if (busy) return;
    setBusy("open");
    setError(null);
    try {
      const current = await getTask(task.id);
      setBusy(null);
      edit(current, false);
    } catch (caught) {
      if (!fail(toApiFailure(caught))) {
        setBusy(null);
        focus(editButtonRef);
      }
    }
  }

  function edit(current: VersionedTask, changedElsewhere: boolean) {
    onRefreshed(current.task);
    setEditing({ ...current, changedElsewhere });
  }

  function closeEdit() {
    setEditing(null);
    focus(editButtonRef);
  }

  function askDelete() {
    setError(null);
    setMode("confirm-delete");
    focus(keepRef);
  }

  function cancelDelete() {
    setMode("view");
    focus(deleteButtonRef);
  }

  async function confirmDelete() {
    if (busy) return;
    setBusy("delete");
    setError(null);
    try {
      await deleteTask(task.id);
      onDeleted(task.id);
    } catch (caught) {
      if (!fail(toApiFailure(caught))) {
        setBusy(null);
        focus(keepRef);
      }
    }
  }

  if (editing) {
    return (
      <li className="task task-editing" data-task-id={task.id}>
        {/* A new version starts a new form, with its values. */}
        <TaskEditForm
          key={editing.etag}
          task={editing.task}
          etag={editing.etag}
          changedElsewhere={editing.changedElsewhere}
          lists={lists}
          onChangedElsewhere={(current) => edit(current, true)}
          onCancel={closeEdit}
          onMissing={onMissing}
          onSaved={(updated) => {
            closeEdit();
            onUpdated(updated, "edited");
          }}
        />
      </li>
    );
  }

  const titleId = `${id}-title`;
  const createdText = formatDate(task.created_at);
  const updatedText = formatDate(task.updated_at);
  const listName = showList && task.list_id !== null ? lists.find((list) => list.id === task.list_id)?.name : undefined;
  const overdue = task.due_at !== null && !task.completed && isOverdue(task.due_at);

  return (
    <li className={`task${task.completed ? " task-done" : ""}`} data-task-id={task.id} aria-labelledby={titleId}>
      <div className="task-check">
        <input ref={checkboxRef} type="checkbox" id={`${id}-done`} checked={task.completed} disabled={busy !== null} onChange={toggle} />
        <label htmlFor={`${id}-done`} className="sr-only">
          Completed: {task.title}
        </label>
      </div>
      <div className="task-body">
        <p className="task-title" id={titleId}>
          {task.title}
        </p>
        {task.description ? <p className="task-description">{task.description}</p> : null}
        <p className="task-meta">
          {task.completed ? <span className="pill pill-done">Completed</span> : <span className="pill">Open</span>}
          {task.priority !== "none" ? (
            <span className={`pill pill-priority-${task.priority}`} data-testid="task-priority">
              {PRIORITY_LABELS[task.priority]}
              <span className="sr-only"> priority</span>
            </span>
          ) : null}
          {listName !== undefined ? (
            <span className="task-list-name" data-testid="task-list">
              <span className="sr-only">List: </span>
              {listName}
            </span>
          ) : null}
          {task.due_at ? (
            <span className={`task-due${overdue ? " task-overdue" : ""}`} data-testid="task-due">
              {overdue ? "Overdue" : "Due"} <time dateTime={task.due_at}>{formatDate(task.due_at)}</time>
            </span>
          ) : null}
          <span>
            Created <time dateTime={task.created_at}>{createdText}</time>
          </span>
          {updatedText !== createdText ? (
            <span>
              · Updated <time dateTime={task.updated_at}>{updatedText}</time>
            </span>
          ) : null}
          {busy === "toggle" ? <span className="saving">Saving…</span> : null}
        </p>
        {error ? (
          <p className="row-error" role="alert">
            {error}
          </p>
        ) : null}
        {mode === "confirm-delete" ? (
          <Confirm
            label="Confirm deletion"
            action="Yes, delete"
            running="Deleting…"
            busy={busy === "delete"}
            keepRef={keepRef}
            onKeep={cancelDelete}
            onConfirm={confirmDelete}
          >
            Delete this task? This can&rsquo;t be undone.
          </Confirm>
        ) : null}
      </div>
      {mode === "view" ? (
        <div className="task-actions">
          <button ref={editButtonRef} type="button" className="button button-quiet" onClick={startEdit} disabled={busy !== null}>
            Edit<span className="sr-only"> task: {task.title}</span>
          </button>
          <button
            ref={deleteButtonRef}
            type="button"
            className="button button-quiet button-quiet-danger"
            onClick={askDelete}
            disabled={busy !== null}
          >
            Delete<span className="sr-only"> task: {task.title}</span>
          </button>
        </div>
      ) : null}
    </li>
  );
}
