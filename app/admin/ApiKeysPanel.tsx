"use client";

import { useCallback, useEffect, useId, useRef, useState } from "react";
import { listApiKeys, toApiFailure, type ApiFailure, type ApiKey, type ApiKeyCreated } from "./api";
import { useLatestLoad, useReloadOnRecovery } from "./useLatestLoad";
import { ApiKeyForm } from "./ApiKeyForm";
import { ApiKeyItem } from "./ApiKeyItem";
import { NewApiKey } from "./NewApiKey";

type ListState = { kind: "loading" } | { kind: "error"; error: ApiFailure } | { kind: "ready" };

const newestFirst = (a: ApiKey, b: ApiKey) => b.createdAt.localeCompare(a.createdAt);

/** The signed-in user's API keys: create (the key is shown once), list and revoke. */
export function ApiKeysPanel() {
  const [keys, setKeys] = useState<ApiKey[]>([]);
  const [list, setList] = useState<ListState>({ kind: "loading" });
  const [created, setCreated] = useState<ApiKeyCreated | null>(null);
  // After "Done" the form comes back with the focus in its name field.
  const [formFocus, setFormFocus] = useState(false);
  const [announcement, setAnnouncement] = useState("");
  const loads = useLatestLoad();
  const headingRef = useRef<HTMLHeadingElement>(null);
  const id = useId();

  const load = useCallback(async () => {
    const isLatest = loads.start();
    setList({ kind: "loading" });
    try {
      const apiKeys = await listApiKeys();
      if (!isLatest()) return;
      setKeys([...apiKeys].sort(newestFirst));
      setList({ kind: "ready" });
    } catch (caught) {
      if (!isLatest()) return;
      setList({ kind: "error", error: toApiFailure(caught) });
    }
  }, []);

  useEffect(() => {
    void load();
  }, [load]);

  useReloadOnRecovery(loads, list.kind === "error", load);

  function onCreated(key: ApiKeyCreated) {
    // The secret stays only in `created`, until "Done"; the list gets the key without it.
    const { key: _secret, ...stored } = key;
    setKeys((previous) => [stored, ...previous.filter((item) => item.id !== key.id)]);
    loads.changed(load);
    setCreated(key);
    setAnnouncement(`Created the API key “${key.name ?? "Unnamed key"}”.`);
  }

  function done() {
    setCreated(null);
    setFormFocus(true);
  }

  function removed(keyId: string, message: string) {
    setKeys((previous) => previous.filter((item) => item.id !== keyId));
    loads.changed(load);
    setAnnouncement(message);
    headingRef.current?.focus();
  }

  return (
    <section className="card keys-card" aria-labelledby={`${id}-heading`}>
      <div className="keys-head">
        <h2 id={`${id}-heading`} ref={headingRef} tabIndex={-1} className="card-title">
          API keys
        </h2>
        <p className="muted keys-intro">
          Keys let scripts and integrations use the task API as you. Send one in the{" "}
          <code>Authorization: Bearer &lt;key&gt;</code> header.
        </p>
      </div>

      <div className="keys-create">
        {created ? <NewApiKey created={created} onDone={done} /> : <ApiKeyForm onCreated={onCreated} focusOnMount={formFocus} />}
      </div>

      <div aria-busy={list.kind === "loading"}>
        {list.kind === "loading" ? (
          <div className="list-placeholder" role="status">
            <span className="spinner" aria-hidden="true" /> Loading API keys…
          </div>
        ) : list.kind === "error" ? (
          <div className="list-placeholder list-failed" role="alert">
            <p>
              <strong>Couldn&rsquo;t load your API keys.</strong> {list.error.detail}
            </p>
            <button type="button" className="button button-secondary" onClick={() => void load()}>
              Try again
            </button>
          </div>
        ) : keys.length === 0 ? (
          <div className="empty keys-empty" data-testid="api-keys-empty">
            <p className="empty-title">No API keys yet</p>
            <p className="muted">Keys you create show up here, with when they were last used.</p>
          </div>
        ) : (
          <ul className="keys" aria-label="Your API keys">
            {keys.map((key) => (
              <ApiKeyItem
                key={key.id}
                apiKey={key}
                onRevoked={(keyId) => removed(keyId, `Revoked “${key.name ?? "Unnamed key"}”.`)}
                onMissing={(keyId) => removed(keyId, `“${key.name ?? "Unnamed key"}” no longer exists.`)}
              />
            ))}
          </ul>
        )}
      </div>

      <p className="sr-only" role="status" aria-live="polite">
        {announcement}
      </p>
    </section>
  );
}
