"use client";

import { useEffect, useId, useRef, useState, type FormEvent, type KeyboardEvent } from "react";
import { FieldMessage } from "./FieldMessage";
import { deleteTask, toApiFailure, updateTask, type ApiFailure, type Task } from "./api";
import { codePoints, DESCRIPTION_MAX, formatDate, splitErrors, TITLE_MAX } from "./fields";

type Mode = "view" | "edit" | "confirm-delete";
type Busy = null | "toggle" | "save" | "delete";
type Field = "title" | "description";
const FIELDS = ["title", "description"] as const;

interface Props {
  task: Task;
  /** The API's version of the task after a change. */
  onUpdated: (task: Task, change: "completed" | "edited") => void;
  onDeleted: (id: number) => void;
  /** The task is gone on the server (404): drop it from the list. */
  onMissing: (id: number) => void;
}

export function TaskItem({ task, onUpdated, onDeleted, onMissing }: Props) {
  const [mode, setMode] = useState<Mode>("view");
  const [busy, setBusy] = useState<Busy>(null);
  const [error, setError] = useState<string | null>(null);
  const [draftTitle, setDraftTitle] = useState(task.title);
  const [draftDescription, setDraftDescription] = useState(task.description ?? "");
  const [fieldErrors, setFieldErrors] = useState<Partial<Record<Field, string>>>({});
  const id = useId();
  const checkboxRef = useRef<HTMLInputElement>(null);
  const editButtonRef = useRef<HTMLButtonElement>(null);
  const deleteButtonRef = useRef<HTMLButtonElement>(null);
  const titleInputRef = useRef<HTMLInputElement>(null);
  const descriptionInputRef = useRef<HTMLTextAreaElement>(null);
  const cancelDeleteRef = useRef<HTMLButtonElement>(null);
  const focusAfter = useRef<"edit" | "delete" | "checkbox" | "title" | "description" | "cancel-delete" | null>(null);

  // Move focus where it belongs once the row has re-rendered in its new mode.
  useEffect(() => {
    const target = focusAfter.current;
    if (!target) return;
    focusAfter.current = null;
    const element = {
      edit: editButtonRef,
      delete: deleteButtonRef,
      checkbox: checkboxRef,
      title: titleInputRef,
      description: descriptionInputRef,
      "cancel-delete": cancelDeleteRef,
    }[target].current;
    element?.focus();
  });

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
      focusAfter.current = "checkbox";
      setBusy(null);
      onUpdated(updated, "completed");
    } catch (caught) {
      if (!fail(toApiFailure(caught))) {
        focusAfter.current = "checkbox";
        setBusy(null);
      }
    }
  }

  function startEdit() {
    setDraftTitle(task.title);
    setDraftDescription(task.description ?? "");
    setFieldErrors({});
    setError(null);
    focusAfter.current = "title";
    setMode("edit");
  }

  function cancelEdit() {
    setFieldErrors({});
    setError(null);
    focusAfter.current = "edit";
    setMode("view");
  }

  async function save(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (busy) return;
    setBusy("save");
    setError(null);
    setFieldErrors({});
    try {
      const updated = await updateTask(task.id, {
        title: draftTitle,
        description: draftDescription.trim() ? draftDescription : null,
      });
      focusAfter.current = "edit";
      setBusy(null);
      setMode("view");
      onUpdated(updated, "edited");
    } catch (caught) {
      const failure = toApiFailure(caught);
      if (failure.status === 404) return void onMissing(task.id);
      const split = splitErrors(failure, FIELDS);
      setFieldErrors(split.fields);
      setError(split.general);
      focusAfter.current = split.fields.title ? "title" : split.fields.description ? "description" : null;
      setBusy(null);
    }
  }

  function onEditKeyDown(event: KeyboardEvent) {
    if (event.key === "Escape" && !busy) {
      event.preventDefault();
      cancelEdit();
    }
  }

  function askDelete() {
    setError(null);
    focusAfter.current = "cancel-delete";
    setMode("confirm-delete");
  }

  function cancelDelete() {
    focusAfter.current = "delete";
    setMode("view");
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
        focusAfter.current = "cancel-delete";
        setBusy(null);
      }
    }
  }

  const titleLength = codePoints(draftTitle.trim());
  const descriptionLength = codePoints(draftDescription);
  const titleId = `${id}-title`;
  const errorBlock = error ? (
    <p className="row-error" role="alert">
      {error}
    </p>
  ) : null;

  if (mode === "edit") {
    const describedBy = (field: Field, hint: string) =>
      [fieldErrors[field] ? `${id}-${field}-error` : null, hint].filter(Boolean).join(" ");
    return (
      <li className="task task-editing" data-task-id={task.id}>
        <form className="edit-form" onSubmit={save} onKeyDown={onEditKeyDown} noValidate aria-label={`Edit task: ${task.title}`}>
          <div className="field">
            <div className="label-row">
              <label htmlFor={`${id}-edit-title`}>Title</label>
              <span id={`${id}-edit-title-count`} className={`counter${titleLength > TITLE_MAX ? " counter-over" : ""}`}>
                {titleLength}/{TITLE_MAX}
              </span>
            </div>
            <input
              ref={titleInputRef}
              id={`${id}-edit-title`}
              value={draftTitle}
              autoComplete="off"
              aria-invalid={fieldErrors.title ? true : undefined}
              aria-describedby={describedBy("title", `${id}-edit-title-count`)}
              onChange={(event) => {
                setDraftTitle(event.target.value);
                setFieldErrors(({ title: _cleared, ...rest }) => rest);
              }}
            />
            <FieldMessage id={`${id}-title-error`} message={fieldErrors.title} />
          </div>
          <div className="field">
            <div className="label-row">
              <label htmlFor={`${id}-edit-description`}>
                Description <span className="optional">(optional)</span>
              </label>
              <span
                id={`${id}-edit-description-count`}
                className={`counter${descriptionLength > DESCRIPTION_MAX ? " counter-over" : ""}`}
              >
                {descriptionLength}/{DESCRIPTION_MAX}
              </span>
            </div>
            <textarea
              ref={descriptionInputRef}
              id={`${id}-edit-description`}
              rows={3}
              value={draftDescription}
              aria-invalid={fieldErrors.description ? true : undefined}
              aria-describedby={describedBy("description", `${id}-edit-description-count`)}
              onChange={(event) => {
                setDraftDescription(event.target.value);
                setFieldErrors(({ description: _cleared, ...rest }) => rest);
              }}
            />
            <FieldMessage id={`${id}-description-error`} message={fieldErrors.description} />
          </div>
          {errorBlock}
          <div className="row-actions">
            <button type="button" className="button button-ghost" onClick={cancelEdit} disabled={busy === "save"}>
              Cancel
            </button>
            <button type="submit" className="button button-primary" disabled={busy === "save"}>
              {busy === "save" ? "Saving…" : "Save"}
            </button>
          </div>
        </form>
      </li>
    );
  }

  const createdText = formatDate(task.created_at);
  const updatedText = formatDate(task.updated_at);

  return (
    <li className={`task${task.completed ? " task-done" : ""}`} data-task-id={task.id} aria-labelledby={titleId}>
      <div className="task-check">
        <input
          ref={checkboxRef}
          type="checkbox"
          id={`${id}-done`}
          checked={task.completed}
          disabled={busy !== null}
          onChange={toggle}
        />
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
        {errorBlock}
        {mode === "confirm-delete" ? (
          <div className="confirm" role="group" aria-label="Confirm deletion">
            <p>Delete this task? This can&rsquo;t be undone.</p>
            <div className="row-actions">
              <button
                ref={cancelDeleteRef}
                type="button"
                className="button button-ghost"
                onClick={cancelDelete}
                disabled={busy === "delete"}
              >
                Keep it
              </button>
              <button type="button" className="button button-danger" onClick={confirmDelete} disabled={busy === "delete"}>
                {busy === "delete" ? "Deleting…" : "Yes, delete"}
              </button>
            </div>
          </div>
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
