"use client";

import { useEffect, useId, useRef, useState, type FormEvent } from "react";
import { Counter } from "./Counter";
import { FieldMessage } from "./FieldMessage";
import { createTask, toApiFailure, type List, type Task } from "./api";
import { codePoints, DESCRIPTION_MAX, splitErrors, TITLE_MAX } from "./fields";
import { useRetryKey } from "./retry-key";
import { DETAIL_FIELDS, detailsInput, fieldId, TaskDetailsFields, type DetailField, type TaskDetails } from "./TaskDetailsFields";
import { useAfterRender } from "./useAfterRender";
import { useFieldErrors } from "./useFieldErrors";

type Field = "title" | "description" | DetailField;
const FIELDS = ["title", "description", ...DETAIL_FIELDS] as const;

interface Props {
  lists: List[];
  /** The list a new task goes in unless picked otherwise: the one the sidebar shows. */
  defaultListId: number | null;
  onCreated: (task: Task) => void;
}

export function CreateTaskForm({ lists, defaultListId, onCreated }: Props) {
  const afterRender = useAfterRender();
  const [title, setTitle] = useState("");
  const [description, setDescription] = useState("");
  const blank: TaskDetails = { listId: defaultListId, due: "", priority: "none" };
  const [details, setDetails] = useState<TaskDetails>(blank);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const id = useId();
  const { fieldErrors, setFieldErrors, clear, describedBy } = useFieldErrors<Field>(id);
  const titleRef = useRef<HTMLInputElement>(null);
  const descriptionRef = useRef<HTMLTextAreaElement>(null);
  const errorRef = useRef<HTMLDivElement>(null);
  const retryKey = useRetryKey();

  // Another list picked in the sidebar: new tasks go there.
  useEffect(() => {
    setDetails((current) => ({ ...current, listId: defaultListId }));
  }, [defaultListId]);

  const titleLength = codePoints(title.trim());
  const descriptionLength = codePoints(description);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(null);
    setFieldErrors({});
    try {
      const input = { title, ...(description.trim() ? { description } : {}), ...detailsInput(details) };
      const task = await createTask(input, retryKey.keyFor(input));
      retryKey.created();
      setTitle("");
      setDescription("");
      setDetails(blank);
      setBusy(false);
      onCreated(task);
      afterRender(() => titleRef.current?.focus());
    } catch (caught) {
      const failure = toApiFailure(caught);
      const split = splitErrors(failure, FIELDS);
      setFieldErrors(split.fields);
      setError(split.general);
      setBusy(false);
      afterRender(() => {
        const first = DETAIL_FIELDS.find((field) => split.fields[field]);
        if (split.fields.title) titleRef.current?.focus();
        else if (split.fields.description) descriptionRef.current?.focus();
        else if (first) document.getElementById(fieldId(id, first))?.focus();
        else errorRef.current?.focus();
      });
    }
  }

  return (
    <section className="card create-card" aria-labelledby={`${id}-heading`}>
      <h2 id={`${id}-heading`} className="card-title">
        Add a task
      </h2>
      <form onSubmit={submit} noValidate className="create-form">
        <div className="field">
          <div className="label-row">
            <label htmlFor={`${id}-title`}>Title</label>
            <Counter id={`${id}-title-count`} count={titleLength} max={TITLE_MAX} />
          </div>
          <input
            ref={titleRef}
            id={`${id}-title`}
            name="title"
            autoComplete="off"
            placeholder="What needs to be done?"
            value={title}
            aria-invalid={fieldErrors.title ? true : undefined}
            aria-describedby={describedBy("title", `${id}-title-count`)}
            onChange={(event) => {
              setTitle(event.target.value);
              clear("title");
            }}
          />
          <FieldMessage id={`${id}-title-error`} message={fieldErrors.title} testId="title-error" />
        </div>

        <div className="field">
          <div className="label-row">
            <label htmlFor={`${id}-description`}>
              Description <span className="optional">(optional)</span>
            </label>
            <Counter id={`${id}-description-count`} count={descriptionLength} max={DESCRIPTION_MAX} />
          </div>
          <textarea
            ref={descriptionRef}
            id={`${id}-description`}
            name="description"
            rows={2}
            placeholder="Add details, links or notes"
            value={description}
            aria-invalid={fieldErrors.description ? true : undefined}
            aria-describedby={describedBy("description", `${id}-description-count`)}
            onChange={(event) => {
              setDescription(event.target.value);
              clear("description");
            }}
          />
          <FieldMessage id={`${id}-description-error`} message={fieldErrors.description} testId="description-error" />
        </div>

        <TaskDetailsFields
          idPrefix={id}
          lists={lists}
          value={details}
          onChange={setDetails}
          errors={fieldErrors}
          onEdited={clear}
        />

        {error ? (
          <div ref={errorRef} tabIndex={-1} className="form-error" role="alert">
            {error}
          </div>
        ) : null}

        <div className="form-actions">
          <button type="submit" className="button button-primary" disabled={busy}>
            {busy ? "Adding…" : "Add task"}
          </button>
        </div>
      </form>
    </section>
  );
}
