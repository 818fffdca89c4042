"use client";

import { useEffect, useId, useRef, useState, type FormEvent, type KeyboardEvent } from "react";
import { getTask, toApiFailure, updateTaskIfUnchanged, type List, type Task, type VersionedTask } from "./api";
import { codePoints, DESCRIPTION_MAX, splitErrors, TITLE_MAX } from "./fields";
import { Counter } from "./Counter";
import { FieldMessage } from "./FieldMessage";
import { DETAIL_FIELDS, detailsInput, detailsOf, fieldId, TaskDetailsFields, type DetailField, type TaskDetails } from "./TaskDetailsFields";
import { useAfterRender } from "./useAfterRender";
import { useFieldErrors } from "./useFieldErrors";

type Field = "title" | "description" | DetailField;
const FIELDS = ["title", "description", ...DETAIL_FIELDS] as const;

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
  const [title, setTitle] = useState(task.title);
  const [description, setDescription] = useState(task.description ?? "");
  const [details, setDetails] = useState<TaskDetails>(() => detailsOf(task));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const id = useId();
  const { fieldErrors, setFieldErrors, clear, describedBy } = useFieldErrors<Field>(id);
  const titleRef = useRef<HTMLInputElement>(null);
  const descriptionRef = useRef<HTMLTextAreaElement>(null);

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
      const saved = await updateTaskIfUnchanged(task.id, etag, {
        title,
        description: description.trim() ? description : null,
        ...detailsInput(details),
      });
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
      const split = splitErrors(failure, FIELDS);
      setFieldErrors(split.fields);
      setError(split.general);
      setBusy(false);
      const first = DETAIL_FIELDS.find((field) => split.fields[field]);
      afterRender(() => {
        if (split.fields.title) titleRef.current?.focus();
        else if (split.fields.description) descriptionRef.current?.focus();
        else if (first) document.getElementById(fieldId(id, first))?.focus();
      });
    }
  }

  function onKeyDown(event: KeyboardEvent) {
    if (event.key === "Escape" && !busy) {
      event.preventDefault();
      onCancel();
    }
  }

  const titleLength = codePoints(title.trim());
  const descriptionLength = codePoints(description);

  return (
    <form className="edit-form" onSubmit={save} onKeyDown={onKeyDown} noValidate aria-label={`Edit task: ${task.title}`}>
      {changedElsewhere ? (
        <p className="form-error" role="alert">
          This task was changed elsewhere. Here is the current version; make your edit again.
        </p>
      ) : null}
      <div className="field">
        <div className="label-row">
          <label htmlFor={`${id}-edit-title`}>Title</label>
          <Counter id={`${id}-edit-title-count`} count={titleLength} max={TITLE_MAX} />
        </div>
        <input
          ref={titleRef}
          id={`${id}-edit-title`}
          value={title}
          autoComplete="off"
          aria-invalid={fieldErrors.title ? true : undefined}
          aria-describedby={describedBy("title", `${id}-edit-title-count`)}
          onChange={(event) => {
            setTitle(event.target.value);
            clear("title");
          }}
        />
        <FieldMessage id={`${id}-title-error`} message={fieldErrors.title} />
      </div>
      <div className="field">
        <div className="label-row">
          <label htmlFor={`${id}-edit-description`}>
            Description <span className="optional">(optional)</span>
          </label>
          <Counter id={`${id}-edit-description-count`} count={descriptionLength} max={DESCRIPTION_MAX} />
        </div>
        <textarea
          ref={descriptionRef}
          id={`${id}-edit-description`}
          rows={3}
          value={description}
          aria-invalid={fieldErrors.description ? true : undefined}
          aria-describedby={describedBy("description", `${id}-edit-description-count`)}
          onChange={(event) => {
            setDescription(event.target.value);
            clear("description");
          }}
        />
        <FieldMessage id={`${id}-description-error`} message={fieldErrors.description} />
      </div>
      <TaskDetailsFields idPrefix={id} lists={lists} value={details} onChange={setDetails} errors={fieldErrors} onEdited={clear} />
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
