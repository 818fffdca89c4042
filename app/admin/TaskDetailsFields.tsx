"use client";

import type { List, Priority, Task, TaskInput } from "./api";
import { localInputToRfc3339, rfc3339ToLocalInput } from "./dates";
import { FieldMessage } from "./FieldMessage";
import { PRIORITY_LABELS } from "./task-view";

// The list picker, due date and priority of a task, shared by the create and edit forms. Each
// field shows the API's message for it (`list_id`, `due_at`, `priority`) underneath.

export type DetailField = "list_id" | "due_at" | "priority";
export const DETAIL_FIELDS = ["list_id", "due_at", "priority"] as const;

export interface TaskDetails {
  listId: number | null;
  /** The datetime-local value: local wall-clock time, "" for none. */
  due: string;
  priority: Priority;
}

interface Props {
  /** Prefix of the inputs' ids: `${idPrefix}-list_id`, `-due_at`, `-priority`. */
  idPrefix: string;
  lists: List[];
  value: TaskDetails;
  onChange: (value: TaskDetails) => void;
  errors: Partial<Record<DetailField, string>>;
  /** Called when a field changes, to clear its error. */
  onEdited: (field: DetailField) => void;
}

export const fieldId = (idPrefix: string, field: DetailField) => `${idPrefix}-${field}`;

export function detailsOf(task: Pick<Task, "list_id" | "due_at" | "priority">): TaskDetails {
  return { listId: task.list_id, due: rfc3339ToLocalInput(task.due_at), priority: task.priority };
}

/** The details as the API takes them: the due date with the browser's offset, or null. */
export function detailsInput(details: TaskDetails): Pick<TaskInput, "list_id" | "due_at" | "priority"> {
  return { list_id: details.listId, due_at: localInputToRfc3339(details.due), priority: details.priority };
}

export function TaskDetailsFields({ idPrefix, lists, value, onChange, errors, onEdited }: Props) {
  const idOf = (field: DetailField) => fieldId(idPrefix, field);
  const errorId = (field: DetailField) => `${idOf(field)}-error`;
  const invalid = (field: DetailField) => (errors[field] ? true : undefined);
  const describedBy = (field: DetailField, ...more: string[]) =>
    [errors[field] ? errorId(field) : null, ...more].filter(Boolean).join(" ") || undefined;
  const set = (field: DetailField, patch: Partial<TaskDetails>) => {
    onChange({ ...value, ...patch });
    onEdited(field);
  };
  // A list that is no longer there (deleted elsewhere) reads as no list.
  const listValue = value.listId !== null && lists.some((list) => list.id === value.listId) ? String(value.listId) : "";

  return (
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
  );
}
