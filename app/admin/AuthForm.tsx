"use client";

import { useEffect, useId, useRef, useState, type FormEvent } from "react";
import { signIn, signUp, toApiFailure, type ApiFailure, type User } from "./api";
import { useAfterRender } from "./useAfterRender";

type Mode = "sign-in" | "sign-up";
type Field = "name" | "email" | "password";

/**
 * Better Auth reports a bad field in `detail` only ("[body.email] Invalid email address",
 * "Password too short"): place it next to its field when it names one.
 */
function placeAuthError(error: ApiFailure): { field: Field | null; message: string } {
  const tagged = /^\[body\.(\w+)\]\s*(.+)$/.exec(error.detail);
  const fields: Field[] = ["name", "email", "password"];
  if (tagged && fields.includes(tagged[1] as Field)) return { field: tagged[1] as Field, message: tagged[2]! };
  if (error.status === 400 || error.status === 422) {
    if (/password/i.test(error.detail)) return { field: "password", message: error.detail };
    if (/email|user already exists/i.test(error.detail)) return { field: "email", message: error.detail };
  }
  return { field: null, message: error.detail };
}

export function AuthForm({ onSignedIn, notice }: { onSignedIn: (user: User) => void; notice?: string | null }) {
  const afterRender = useAfterRender();
  const [mode, setMode] = useState<Mode>("sign-in");
  const [name, setName] = useState("");
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [fieldError, setFieldError] = useState<{ field: Field; message: string } | null>(null);
  const id = useId();
  const errorRef = useRef<HTMLDivElement>(null);
  const firstField = useRef<HTMLInputElement>(null);
  const inputs = {
    name: useRef<HTMLInputElement>(null),
    email: useRef<HTMLInputElement>(null),
    password: useRef<HTMLInputElement>(null),
  };
  const mounted = useRef(false);

  useEffect(() => {
    // Switching between sign-in and sign-up moves focus to the first field of the new form.
    if (mounted.current) firstField.current?.focus();
    mounted.current = true;
  }, [mode]);

  const signingUp = mode === "sign-up";

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(null);
    setFieldError(null);
    try {
      const user = signingUp
        ? await signUp({ name: name.trim() || email.trim(), email: email.trim(), password })
        : await signIn({ email: email.trim(), password });
      onSignedIn(user);
    } catch (caught) {
      const failure = toApiFailure(caught);
      setBusy(false);
      if (failure.status === 401 && !signingUp) {
        setError("Wrong email or password.");
        afterRender(() => errorRef.current?.focus());
        return;
      }
      const placed = placeAuthError(failure);
      if (placed.field && (placed.field !== "name" || signingUp)) {
        const field = placed.field;
        setFieldError({ field, message: placed.message });
        afterRender(() => inputs[field].current?.focus());
      } else {
        setError(placed.message);
        afterRender(() => errorRef.current?.focus());
      }
    }
  }

  function switchMode() {
    setMode(signingUp ? "sign-in" : "sign-up");
    setError(null);
    setFieldError(null);
  }

  const invalid = (field: Field) => (fieldError?.field === field ? true : undefined);
  const describedBy = (field: Field, ...ids: string[]) =>
    [fieldError?.field === field ? `${id}-${field}-error` : null, ...ids].filter(Boolean).join(" ") || undefined;
  const errorFor = (field: Field) =>
    fieldError?.field === field ? (
      <p id={`${id}-${field}-error`} className="field-error">
        {fieldError.message}
      </p>
    ) : null;
  const clear = (field: Field) => {
    if (fieldError?.field === field) setFieldError(null);
  };
  const setRefs = (field: Field, first: boolean) => (element: HTMLInputElement | null) => {
    inputs[field].current = element;
    if (first) firstField.current = element;
  };

  return (
    <section className="auth-card card" aria-labelledby={`${id}-heading`}>
      <div className="auth-head">
        <div className="auth-logo" aria-hidden="true">
          ✓
        </div>
        <h1 id={`${id}-heading`}>{signingUp ? "Create your account" : "Sign in to Tasks"}</h1>
        <p className="muted">
          {signingUp ? "Start keeping track of what matters." : "Welcome back. Sign in to manage your tasks."}
        </p>
      </div>

      {notice ? (
        <p className="notice" role="status">
          {notice}
        </p>
      ) : null}

      <form onSubmit={submit} noValidate aria-describedby={error ? `${id}-error` : undefined}>
        {signingUp ? (
          <div className="field">
            <label htmlFor={`${id}-name`}>
              Name <span className="optional">(optional)</span>
            </label>
            <input
              ref={setRefs("name", true)}
              id={`${id}-name`}
              name="name"
              autoComplete="name"
              value={name}
              aria-invalid={invalid("name")}
              aria-describedby={describedBy("name")}
              onChange={(event) => {
                setName(event.target.value);
                clear("name");
              }}
            />
            {errorFor("name")}
          </div>
        ) : null}
        <div className="field">
          <label htmlFor={`${id}-email`}>Email</label>
          <input
            ref={setRefs("email", !signingUp)}
            id={`${id}-email`}
            name="email"
            type="email"
            autoComplete="email"
            inputMode="email"
            required
            value={email}
            aria-invalid={invalid("email")}
            aria-describedby={describedBy("email")}
            onChange={(event) => {
              setEmail(event.target.value);
              clear("email");
            }}
          />
          {errorFor("email")}
        </div>
        <div className="field">
          <label htmlFor={`${id}-password`}>Password</label>
          <input
            ref={setRefs("password", false)}
            id={`${id}-password`}
            name="password"
            type="password"
            autoComplete={signingUp ? "new-password" : "current-password"}
            required
            aria-invalid={invalid("password")}
            aria-describedby={describedBy("password", ...(signingUp ? [`${id}-password-hint`] : []))}
            value={password}
            onChange={(event) => {
              setPassword(event.target.value);
              clear("password");
            }}
          />
          {signingUp ? (
            <p id={`${id}-password-hint`} className="hint">
              At least 8 characters.
            </p>
          ) : null}
          {errorFor("password")}
        </div>

        {error ? (
          <div id={`${id}-error`} ref={errorRef} tabIndex={-1} className="form-error" role="alert">
            {error}
          </div>
        ) : null}

        <button type="submit" className="button button-primary button-block" disabled={busy}>
          {busy ? (signingUp ? "Creating account…" : "Signing in…") : signingUp ? "Create account" : "Sign in"}
        </button>
      </form>

      <p className="auth-switch">
        {signingUp ? "Already have an account?" : "New here?"}{" "}
        <button type="button" className="link-button" onClick={switchMode} disabled={busy}>
          {signingUp ? "Sign in" : "Create an account"}
        </button>
      </p>
    </section>
  );
}
