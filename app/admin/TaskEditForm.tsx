"use client";

import { useEffect, useId, useRef, useState, type FormEvent, type KeyboardEvent } from "react";
import { getTask, toApiFailure, updateTaskIfUnchanged, type List, type Task, type VersionedTask } from "./api";
import { splitErrors } from "./fields";
import { draftInput, draftOf, focusFirstInvalid, TASK_FIELDS, TaskFields, type TaskDraft, type TaskField } from "./TaskFields";
import { useAfterRender } from "./useAfterRender";
import { useFieldErrors } from "./useFieldErrors";

interface Props {
  task: Task;
  /** The version `task` is: the save writes only if the task is still at it. */
  etag: string;
  /** A save found the task changed elsewhere, and this form shows the current version instead. */
  changedElsewhere: boolean;
  lists: List[];
  /** The API's version of the task after the save. */
  onSaved: (task: Task) => void;
  /** The save was refused because the task changed since `etag`: its current version. */
  onChangedElsewhere: (current: VersionedTask) => void;
  onCancel: () => void;
  /** The task is gone on the server (404). */
  onMissing: (id: number) => void;
}

/**
 * A task edited in place: every field, saved in one PATCH with If-Match, so that a change made
 * elsewhere since the form opened is never overwritten; Escape cancels.
 */
export function TaskEditForm({ task, etag, changedElsewhere, lists, onSaved, onChangedElsewhere, onCancel, onMissing }: Props) {
  const afterRender = useAfterRender();
  const [draft, setDraft] = useState<TaskDraft>(() => draftOf(task));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const id = useId();
  const { fieldErrors, setFieldErrors, clear } = useFieldErrors<TaskField>(id);
  const titleRef = useRef<HTMLInputElement>(null);

  useEffect(() => {
    titleRef.current?.focus();
  }, []);

  async function save(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(null);
    setFieldErrors({});
    try {
      const saved = await updateTaskIfUnchanged(task.id, etag, draftInput(draft));
      onSaved(saved.task);
    } catch (caught) {
      let failure = toApiFailure(caught);
      if (failure.status === 412) {
        try {
          return void onChangedElsewhere(await getTask(task.id));
        } catch (reading) {
          failure = toApiFailure(reading);
        }
      }
      if (failure.status === 404) return void onMissing(task.id);
      const split = splitErrors(failure, TASK_FIELDS);
      setFieldErrors(split.fields);
      setError(split.general);
      setBusy(false);
      afterRender(() => focusFirstInvalid(id, split.fields));
    }
  }

  function onKeyDown(event: KeyboardEvent) {
    if (event.key === "Escape" && !busy) {
      event.preventDefault();
      onCancel();
    }
  }

  return (
    <form className="edit-form" onSubmit={save} onKeyDown={onKeyDown} noValidate aria-label={`Edit task: ${task.title}`}>
      {changedElsewhere ? (
        <p className="form-error" role="alert">
          This task was changed elsewhere. Here is the current version; make your edit again.
        </p>
      ) : null}
      <TaskFields
        idPrefix={id}
        lists={lists}
        value={draft}
        onChange={setDraft}
        errors={fieldErrors}
        onEdited={clear}
        titleRef={titleRef}
        descriptionRows={3}
      />
      {error ? (
        <p className="row-error" role="alert">
          {error}
        </p>
      ) : null}
      <div className="row-actions">
        <button type="button" className="button button-ghost" onClick={onCancel} disabled={busy}>
          Cancel
        </button>
        <button type="submit" className="button button-primary" disabled={busy}>
          {busy ? "Saving…" : "Save"}
        </button>
      </div>
    </form>
  );
}
