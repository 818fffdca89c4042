"use client";

import { useEffect, useId, useRef, useState } from "react";
import { scopeOf, type ApiKeyCreated } from "./api";
import { formatDate } from "./fields";

type CopyState = "idle" | "copying" | "copied" | "failed";

/**
 * The one time a new key is shown: the API keeps only its hash. The key is in a read-only
 * field (selected on focus, so it can always be copied by hand; a textarea, so that the whole
 * key wraps into view on a narrow screen) with a Copy button.
 */
export function NewApiKey({ created, onDone }: { created: ApiKeyCreated; onDone: () => void }) {
  const [copy, setCopy] = useState<CopyState>("idle");
  const id = useId();
  const inputRef = useRef<HTMLTextAreaElement>(null);

  useEffect(() => {
    inputRef.current?.focus();
  }, []);

  function selectKey() {
    const input = inputRef.current;
    if (!input) return;
    input.focus();
    input.select();
  }

  async function copyKey() {
    if (copy === "copying") return;
    setCopy("copying");
    try {
      // Missing outside secure contexts; rejected when the browser denies the permission.
      if (!navigator.clipboard?.writeText) throw new Error("Clipboard unavailable");
      await navigator.clipboard.writeText(created.key);
      setCopy("copied");
    } catch {
      setCopy("failed");
      selectKey();
    }
  }

  const readWrite = scopeOf(created) === "read-write";

  return (
    <section className="key-reveal" aria-labelledby={`${id}-heading`} data-testid="new-api-key">
      <h3 id={`${id}-heading`} className="key-reveal-title">
        New API key created
      </h3>
      <p className="key-reveal-summary">
        <span className="key-name">{created.name ?? "Unnamed key"}</span>
        <span className={`pill${readWrite ? " pill-write" : ""}`}>{readWrite ? "Read & write" : "Read only"}</span>
        <span className="muted">
          {created.expiresAt ? (
            <>
              Expires <time dateTime={created.expiresAt}>{formatDate(created.expiresAt)}</time>
            </>
          ) : (
            "Never expires"
          )}
        </span>
      </p>
      <p id={`${id}-warning`} className="key-warning">
        <strong>Copy this key now. You won&rsquo;t see it again.</strong> Only a fingerprint of it is stored, so it
        can&rsquo;t be shown once you press Done or leave this page. Keep it somewhere safe, such as a password
        manager or your CI secrets.
      </p>
      <div className="field">
        <label htmlFor={`${id}-key`}>Your new API key</label>
        <div className="key-copy-row">
          <textarea
            ref={inputRef}
            id={`${id}-key`}
            className="key-secret"
            readOnly
            rows={1}
            value={created.key}
            spellCheck={false}
            autoComplete="off"
            autoCapitalize="off"
            aria-describedby={`${id}-warning`}
            onFocus={(event) => event.currentTarget.select()}
          />
          {/* Never disabled: that would drop the keyboard focus while the clipboard answers. */}
          <button type="button" className="button button-secondary key-copy" onClick={copyKey}>
            {copy === "copied" ? (
              <>
                <span aria-hidden="true">✓</span> Copied
              </>
            ) : (
              "Copy"
            )}
          </button>
        </div>
        <p role="status" className={copy === "failed" ? "key-copy-failed" : "hint"}>
          {copy === "copied"
            ? "Copied to the clipboard."
            : copy === "failed"
              ? "Couldn’t copy automatically. The key is selected above: copy it with Ctrl+C (⌘C on a Mac), or select it and copy it yourself."
              : null}
        </p>
      </div>
      <div className="form-actions">
        <button type="button" className="button button-primary" onClick={onDone}>
          Done
        </button>
      </div>
    </section>
  );
}
