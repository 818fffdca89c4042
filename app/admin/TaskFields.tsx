"use client";

import type { RefObject } from "react";
import type { List, Priority, Task, TaskInput } from "./api";
import { Counter } from "./Counter";
import { localInputToRfc3339, rfc3339ToLocalInput } from "./dates";
import { codePoints, DESCRIPTION_MAX, TITLE_MAX } from "./fields";
import { FieldMessage } from "./FieldMessage";
import { PRIORITY_LABELS } from "./task-view";
import { describedByOf } from "./useFieldErrors";

// A task's fields, shared by the create and edit forms: title and description with their
// counters, the list, the due date and the priority. Each field shows the API's message for it
// (`title`, `description`, `list_id`, `due_at`, `priority`) underneath.

/** The API's names of the fields, in the form's order. */
export const TASK_FIELDS = ["title", "description", "list_id", "due_at", "priority"] as const;
export type TaskField = (typeof TASK_FIELDS)[number];

export interface TaskDraft {
  title: string;
  description: string;
  listId: number | null;
  /** The datetime-local value: local wall-clock time, "" for none. */
  due: string;
  priority: Priority;
}

interface Props {
  /** Prefix of the fields' ids: `${idPrefix}-title`, `-description`, `-list_id`, `-due_at`, `-priority`. */
  idPrefix: string;
  lists: List[];
  value: TaskDraft;
  onChange: (value: TaskDraft) => void;
  errors: Partial<Record<TaskField, string>>;
  /** Called when a field changes, to clear its error. */
  onEdited: (field: TaskField) => void;
  titleRef?: RefObject<HTMLInputElement | null>;
  /** The create form's hints in the empty text fields. */
  placeholders?: { title: string; description: string };
  descriptionRows: number;
}

const fieldId = (idPrefix: string, field: TaskField) => `${idPrefix}-${field}`;

/** A new task's fields, in the given list. */
export const blankDraft = (listId: number | null): TaskDraft => ({ title: "", description: "", listId, due: "", priority: "none" });

export function draftOf(task: Pick<Task, "title" | "description" | "list_id" | "due_at" | "priority">): TaskDraft {
  return { title: task.title, description: task.description ?? "", listId: task.list_id, due: rfc3339ToLocalInput(task.due_at), priority: task.priority };
}

/** The fields as the API takes them: no description as null, the due date with the browser's offset. */
export function draftInput(draft: TaskDraft): TaskInput {
  return {
    title: draft.title,
    description: draft.description.trim() ? draft.description : null,
    list_id: draft.listId,
    due_at: localInputToRfc3339(draft.due),
    priority: draft.priority,
  };
}

/** Moves the focus to the first field with a message; false when none has one. */
export function focusFirstInvalid(idPrefix: string, errors: Partial<Record<TaskField, string>>): boolean {
  const field = TASK_FIELDS.find((name) => errors[name]);
  if (field) document.getElementById(fieldId(idPrefix, field))?.focus();
  return field !== undefined;
}

export function TaskFields({ idPrefix, lists, value, onChange, errors, onEdited, titleRef, placeholders, descriptionRows }: Props) {
  const idOf = (field: TaskField) => fieldId(idPrefix, field);
  const errorId = (field: TaskField) => `${idOf(field)}-error`;
  const invalid = (field: TaskField) => (errors[field] ? true : undefined);
  const describedBy = (field: TaskField, ...hints: string[]) => describedByOf(idPrefix, errors, field, ...hints);
  const set = (field: TaskField, patch: Partial<TaskDraft>) => {
    onChange({ ...value, ...patch });
    onEdited(field);
  };
  // A list that is no longer there (deleted elsewhere) reads as no list.
  const listValue = value.listId !== null && lists.some((list) => list.id === value.listId) ? String(value.listId) : "";

  return (
    <>
      <div className="field">
        <div className="label-row">
          <label htmlFor={idOf("title")}>Title</label>
          <Counter id={`${idOf("title")}-count`} count={codePoints(value.title.trim())} max={TITLE_MAX} />
        </div>
        <input
          ref={titleRef}
          id={idOf("title")}
          name="title"
          autoComplete="off"
          placeholder={placeholders?.title}
          value={value.title}
          aria-invalid={invalid("title")}
          aria-describedby={describedBy("title", `${idOf("title")}-count`)}
          onChange={(event) => set("title", { title: event.target.value })}
        />
        <FieldMessage id={errorId("title")} message={errors.title} testId="title-error" />
      </div>

      <div className="field">
        <div className="label-row">
          <label htmlFor={idOf("description")}>
            Description <span className="optional">(optional)</span>
          </label>
          <Counter id={`${idOf("description")}-count`} count={codePoints(value.description)} max={DESCRIPTION_MAX} />
        </div>
        <textarea
          id={idOf("description")}
          name="description"
          rows={descriptionRows}
          placeholder={placeholders?.description}
          value={value.description}
          aria-invalid={invalid("description")}
          aria-describedby={describedBy("description", `${idOf("description")}-count`)}
          onChange={(event) => set("description", { description: event.target.value })}
        />
        <FieldMessage id={errorId("description")} message={errors.description} testId="description-error" />
      </div>

      <div className="details-fields">
        <div className="field">
          <label htmlFor={idOf("list_id")}>List</label>
          <select
            id={idOf("list_id")}
            value={listValue}
            aria-invalid={invalid("list_id")}
            aria-describedby={describedBy("list_id")}
            onChange={(event) => set("list_id", { listId: event.target.value ? Number(event.target.value) : null })}
          >
            <option value="">No list</option>
            {lists.map((list) => (
              <option key={list.id} value={list.id}>
                {list.name}
              </option>
            ))}
          </select>
          <FieldMessage id={errorId("list_id")} message={errors.list_id} testId="list-error" />
        </div>

        <div className="field">
          <label htmlFor={idOf("due_at")}>
            Due <span className="optional">(optional)</span>
          </label>
          <div className="due-row">
            <input
              id={idOf("due_at")}
              type="datetime-local"
              value={value.due}
              aria-invalid={invalid("due_at")}
              aria-describedby={describedBy("due_at")}
              onChange={(event) => set("due_at", { due: event.target.value })}
            />
            <button
              type="button"
              className="icon-button due-clear"
              title="Clear due date"
              onClick={() => {
                set("due_at", { due: "" });
                document.getElementById(idOf("due_at"))?.focus(); // this button is disabled now
              }}
              disabled={!value.due}
            >
              <span aria-hidden="true">✕</span>
              <span className="sr-only">Clear due date</span>
            </button>
          </div>
          <FieldMessage id={errorId("due_at")} message={errors.due_at} testId="due-error" />
        </div>

        <div className="field">
          <label htmlFor={idOf("priority")}>Priority</label>
          <select
            id={idOf("priority")}
            value={value.priority}
            aria-invalid={invalid("priority")}
            aria-describedby={describedBy("priority")}
            onChange={(event) => set("priority", { priority: event.target.value as Priority })}
          >
            {(Object.keys(PRIORITY_LABELS) as Priority[]).map((priority) => (
              <option key={priority} value={priority}>
                {PRIORITY_LABELS[priority]}
              </option>
            ))}
          </select>
          <FieldMessage id={errorId("priority")} message={errors.priority} testId="priority-error" />
        </div>
      </div>
    </>
  );
}
