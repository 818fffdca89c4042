"use client";

import { useId, useRef, useState, type FormEvent } from "react";
import { createList, toApiFailure, type List } from "./api";
import { codePoints } from "./fields";
import { Counter } from "./Counter";
import { FieldMessage } from "./FieldMessage";
import { useRetryKey } from "./retry-key";
import { LIST_NAME_MAX, listNameErrors } from "./list-name";
import { useAfterRender } from "./useAfterRender";

/** The sidebar's "New list" form: a name, checked by the API (a clash is shown at the field). */
export function CreateListForm({ onCreated }: { onCreated: (list: List) => void }) {
  const afterRender = useAfterRender();
  const [name, setName] = useState("");
  const [busy, setBusy] = useState(false);
  const [fieldError, setFieldError] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const id = useId();
  const inputRef = useRef<HTMLInputElement>(null);
  const retryKey = useRetryKey();
  const length = codePoints(name.trim());

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (busy) return;
    setBusy(true);
    setFieldError(null);
    setError(null);
    try {
      const list = await createList(name, retryKey.keyFor(name));
      retryKey.created();
      setName("");
      onCreated(list);
    } catch (caught) {
      const { field, general } = listNameErrors(toApiFailure(caught));
      setFieldError(field);
      setError(general);
    } finally {
      setBusy(false);
      afterRender(() => inputRef.current?.focus());
    }
  }

  return (
    <form className="list-create" onSubmit={submit} noValidate aria-label="Create a list">
      <div className="label-row">
        <label htmlFor={`${id}-name`}>New list</label>
        {length > LIST_NAME_MAX - 20 ? (
          <Counter id={`${id}-count`} count={length} max={LIST_NAME_MAX} />
        ) : null}
      </div>
      <div className="list-create-row">
        <input
          ref={inputRef}
          id={`${id}-name`}
          name="list-name"
          autoComplete="off"
          placeholder="e.g. Groceries"
          value={name}
          aria-invalid={fieldError ? true : undefined}
          aria-describedby={[fieldError ? `${id}-error` : null, length > LIST_NAME_MAX - 20 ? `${id}-count` : null].filter(Boolean).join(" ") || undefined}
          onChange={(event) => {
            setName(event.target.value);
            setFieldError(null);
          }}
        />
        <button type="submit" className="button button-secondary" disabled={busy}>
          {busy ? "Adding…" : "Add"}
          <span className="sr-only"> list</span>
        </button>
      </div>
      <FieldMessage id={`${id}-error`} message={fieldError ?? undefined} testId="list-name-error" />
      {error ? (
        <p className="row-error" role="alert">
          {error}
        </p>
      ) : null}
    </form>
  );
}
