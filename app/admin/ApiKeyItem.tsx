"use client";

import { useId, useRef, useState } from "react";
import { deleteApiKey, scopeOf, toApiFailure, type ApiKey } from "./api";
import { Confirm } from "./Confirm";
import { formatDate } from "./fields";
import { useFocusAfterRender } from "./useAfterRender";

type Mode = "view" | "confirm-revoke";

interface Props {
  apiKey: ApiKey;
  onRevoked: (id: string) => void;
  /** The key is gone on the server (404): drop it from the list. */
  onMissing: (id: string) => void;
}

/** How a key is recognised without showing it: its first characters, e.g. `tk_AbC…`. */
export function keyHint(key: Pick<ApiKey, "start" | "prefix">): string {
  return `${key.start ?? key.prefix ?? ""}…`;
}

export function ApiKeyItem({ apiKey, onRevoked, onMissing }: Props) {
  const [mode, setMode] = useState<Mode>("view");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const id = useId();
  const revokeRef = useRef<HTMLButtonElement>(null);
  const keepRef = useRef<HTMLButtonElement>(null);
  const focus = useFocusAfterRender();

  function askRevoke() {
    setError(null);
    setMode("confirm-revoke");
    focus(keepRef);
  }

  function cancelRevoke() {
    setMode("view");
    focus(revokeRef);
  }

  async function confirmRevoke() {
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      await deleteApiKey(apiKey.id);
      onRevoked(apiKey.id);
    } catch (caught) {
      const failure = toApiFailure(caught);
      if (failure.status === 404) return void onMissing(apiKey.id);
      setError(failure.detail);
      setBusy(false);
      focus(keepRef);
    }
  }

  const name = apiKey.name ?? "Unnamed key";
  const readWrite = scopeOf(apiKey) === "read-write";
  const expired = apiKey.expiresAt !== null && new Date(apiKey.expiresAt).getTime() <= Date.now();
  const nameId = `${id}-name`;

  return (
    <li className="key-row" data-key-id={apiKey.id} data-testid="api-key-row" aria-labelledby={nameId}>
      <div className="key-body">
        <p className="key-title">
          <span className="key-name" id={nameId}>
            {name}
          </span>
          <span className={`pill${readWrite ? " pill-write" : ""}`}>{readWrite ? "Read & write" : "Read only"}</span>
          {!apiKey.enabled ? <span className="pill pill-off">Disabled</span> : null}
          {expired ? <span className="pill pill-off">Expired</span> : null}
        </p>
        <code className="key-start" title="The first characters of the key">
          <span className="sr-only">Key starting with </span>
          {keyHint(apiKey)}
        </code>
        <dl className="key-facts">
          <div>
            <dt>Created</dt>
            <dd>
              <time dateTime={apiKey.createdAt}>{formatDate(apiKey.createdAt)}</time>
            </dd>
          </div>
          <div>
            <dt>Last used</dt>
            <dd data-testid="key-last-used">
              {apiKey.lastRequest ? <time dateTime={apiKey.lastRequest}>{formatDate(apiKey.lastRequest)}</time> : "Never"}
            </dd>
          </div>
          <div>
            <dt>{expired ? "Expired" : "Expires"}</dt>
            <dd data-testid="key-expires">
              {apiKey.expiresAt ? <time dateTime={apiKey.expiresAt}>{formatDate(apiKey.expiresAt)}</time> : "Never"}
            </dd>
          </div>
        </dl>
        {error ? (
          <p className="row-error" role="alert">
            {error}
          </p>
        ) : null}
        {mode === "confirm-revoke" ? (
          <Confirm
            label={`Confirm revoking ${name}`}
            action="Yes, revoke"
            running="Revoking…"
            busy={busy}
            keepRef={keepRef}
            onKeep={cancelRevoke}
            onConfirm={confirmRevoke}
          >
            Revoke this key? Anything using it stops working at once. This can&rsquo;t be undone.
          </Confirm>
        ) : null}
      </div>
      {mode === "view" ? (
        <div className="key-actions">
          <button ref={revokeRef} type="button" className="button button-quiet button-quiet-danger" onClick={askRevoke} disabled={busy}>
            Revoke<span className="sr-only"> key: {name}</span>
          </button>
        </div>
      ) : null}
    </li>
  );
}
