"use client";

import { useEffect, useId, useRef, useState, type FormEvent } from "react";
import { createTask, toApiFailure, type List, type Task } from "./api";
import { splitErrors } from "./fields";
import { useRetryKey } from "./retry-key";
import { blankDraft, draftInput, focusFirstInvalid, TASK_FIELDS, TaskFields, type TaskDraft, type TaskField } from "./TaskFields";
import { useAfterRender } from "./useAfterRender";
import { useFieldErrors } from "./useFieldErrors";

interface Props {
  lists: List[];
  /** The list a new task goes in unless picked otherwise: the one the sidebar shows. */
  defaultListId: number | null;
  onCreated: (task: Task) => void;
}

const PLACEHOLDERS = { title: "What needs to be done?", description: "Add details, links or notes" };

export function CreateTaskForm({ lists, defaultListId, onCreated }: Props) {
  const afterRender = useAfterRender();
  const [draft, setDraft] = useState<TaskDraft>(() => blankDraft(defaultListId));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const id = useId();
  const { fieldErrors, setFieldErrors, clear } = useFieldErrors<TaskField>(id);
  const titleRef = useRef<HTMLInputElement>(null);
  const errorRef = useRef<HTMLDivElement>(null);
  const retryKey = useRetryKey();

  // Another list picked in the sidebar: new tasks go there.
  useEffect(() => {
    setDraft((current) => ({ ...current, listId: defaultListId }));
  }, [defaultListId]);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(null);
    setFieldErrors({});
    try {
      const input = draftInput(draft);
      const task = await createTask(input, retryKey.keyFor(input));
      retryKey.created();
      setDraft(blankDraft(defaultListId));
      setBusy(false);
      onCreated(task);
      afterRender(() => titleRef.current?.focus());
    } catch (caught) {
      const split = splitErrors(toApiFailure(caught), TASK_FIELDS);
      setFieldErrors(split.fields);
      setError(split.general);
      setBusy(false);
      afterRender(() => focusFirstInvalid(id, split.fields) || errorRef.current?.focus());
    }
  }

  return (
    <section className="card create-card" aria-labelledby={`${id}-heading`}>
      <h2 id={`${id}-heading`} className="card-title">
        Add a task
      </h2>
      <form onSubmit={submit} noValidate className="create-form">
        <TaskFields
          idPrefix={id}
          lists={lists}
          value={draft}
          onChange={setDraft}
          errors={fieldErrors}
          onEdited={clear}
          titleRef={titleRef}
          placeholders={PLACEHOLDERS}
          descriptionRows={2}
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
