"use client";

import { useEffect, useId, useRef, useState, type FormEvent } from "react";
import { Counter } from "./Counter";
import { FieldMessage } from "./FieldMessage";
import { createApiKey, toApiFailure, type ApiKeyCreated, type ApiKeyScope } from "./api";
import { codePoints, splitErrors } from "./fields";
import { useAfterRender } from "./useAfterRender";
import { useFieldErrors } from "./useFieldErrors";

// Limits of the API (lib/auth/api-keys.ts). Shown as hints only: the API's validation errors
// are what the form shows.
export const KEY_NAME_MAX = 32;
const DAY_S = 86_400;

type Field = "name" | "scope" | "expiresIn";
const FIELDS = ["name", "scope", "expiresIn"] as const;

export const SCOPES: { value: ApiKeyScope; label: string; hint: string }[] = [
  { value: "read", label: "Read only", hint: "Can list and view your tasks, but not change them." },
  { value: "read-write", label: "Read and write", hint: "Can also create, change and delete your tasks." },
];

const EXPIRIES = [
  { value: "never", label: "Never", seconds: null },
  { value: "30d", label: "In 30 days", seconds: 30 * DAY_S },
  { value: "90d", label: "In 90 days", seconds: 90 * DAY_S },
  { value: "1y", label: "In 1 year", seconds: 365 * DAY_S },
] as const;
type Expiry = (typeof EXPIRIES)[number]["value"];

export function ApiKeyForm({ onCreated, focusOnMount }: { onCreated: (key: ApiKeyCreated) => void; focusOnMount: boolean }) {
  const afterRender = useAfterRender();
  const [name, setName] = useState("");
  const [scope, setScope] = useState<ApiKeyScope>("read");
  const [expiry, setExpiry] = useState<Expiry>("never");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const id = useId();
  const { fieldErrors, setFieldErrors, clear, describedBy } = useFieldErrors<Field>(id);
  const nameRef = useRef<HTMLInputElement>(null);
  const scopeRef = useRef<HTMLSelectElement>(null);
  const expiryRef = useRef<HTMLSelectElement>(null);
  const errorRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    // Back from the one-time display of a new key: ready for the next one.
    if (focusOnMount) nameRef.current?.focus();
  }, []); // on mount only

  const nameLength = codePoints(name.trim());

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(null);
    setFieldErrors({});
    try {
      const seconds = EXPIRIES.find((option) => option.value === expiry)?.seconds ?? null;
      const created = await createApiKey({ name, scope, expiresIn: seconds });
      // The parent replaces this form with the new key: nothing to reset here.
      onCreated(created);
    } catch (caught) {
      const split = splitErrors(toApiFailure(caught), FIELDS);
      setFieldErrors(split.fields);
      setError(split.general);
      setBusy(false);
      afterRender(() => {
        if (split.fields.name) nameRef.current?.focus();
        else if (split.fields.scope) scopeRef.current?.focus();
        else if (split.fields.expiresIn) expiryRef.current?.focus();
        else errorRef.current?.focus();
      });
    }
  }

  return (
    <form onSubmit={submit} noValidate className="key-form" aria-label="Create an API key">
      <div className="key-form-fields">
        <div className="field">
          <div className="label-row">
            <label htmlFor={`${id}-name`}>Name</label>
            <Counter id={`${id}-name-count`} count={nameLength} max={KEY_NAME_MAX} />
          </div>
          <input
            ref={nameRef}
            id={`${id}-name`}
            name="name"
            autoComplete="off"
            spellCheck={false}
            placeholder="e.g. Nightly export"
            value={name}
            aria-invalid={fieldErrors.name ? true : undefined}
            aria-describedby={describedBy("name", `${id}-name-count`)}
            onChange={(event) => {
              setName(event.target.value);
              clear("name");
            }}
          />
          <FieldMessage id={`${id}-name-error`} message={fieldErrors.name} testId="key-name-error" />
        </div>

        <div className="field">
          <label htmlFor={`${id}-scope`}>Access</label>
          <select
            ref={scopeRef}
            id={`${id}-scope`}
            name="scope"
            value={scope}
            aria-invalid={fieldErrors.scope ? true : undefined}
            aria-describedby={describedBy("scope", `${id}-scope-hint`)}
            onChange={(event) => {
              setScope(event.target.value as ApiKeyScope);
              clear("scope");
            }}
          >
            {SCOPES.map((option) => (
              <option key={option.value} value={option.value}>
                {option.label}
              </option>
            ))}
          </select>
          <p id={`${id}-scope-hint`} className="hint">
            {SCOPES.find((option) => option.value === scope)?.hint}
          </p>
          <FieldMessage id={`${id}-scope-error`} message={fieldErrors.scope} />
        </div>

        <div className="field">
          <label htmlFor={`${id}-expiry`}>Expires</label>
          <select
            ref={expiryRef}
            id={`${id}-expiry`}
            name="expiry"
            value={expiry}
            aria-invalid={fieldErrors.expiresIn ? true : undefined}
            aria-describedby={describedBy("expiresIn")}
            onChange={(event) => {
              setExpiry(event.target.value as Expiry);
              clear("expiresIn");
            }}
          >
            {EXPIRIES.map((option) => (
              <option key={option.value} value={option.value}>
                {option.label}
              </option>
            ))}
          </select>
          <FieldMessage id={`${id}-expiresIn-error`} message={fieldErrors.expiresIn} />
        </div>
      </div>

      {error ? (
        <div ref={errorRef} tabIndex={-1} className="form-error" role="alert">
          {error}
        </div>
      ) : null}

      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={busy}>
          {busy ? "Creating…" : "Create key"}
        </button>
      </div>
    </form>
  );
}
