"use client";

import { useId, useRef, useState, type FormEvent, type KeyboardEvent, type RefObject } from "react";
import { deleteList, renameList, toApiFailure, type List } from "./api";
import { Confirm } from "./Confirm";
import { FieldMessage } from "./FieldMessage";
import { listNameErrors } from "./list-name";
import { useAfterRender } from "./useAfterRender";

type Mode = "view" | "rename" | "confirm-delete";

interface Props {
  list: List;
  selected: boolean;
  onSelect: () => void;
  onRenamed: (list: List) => void;
  onDeleted: (id: number) => void;
  /** The list is gone on the server (404): drop it. */
  onMissing: (id: number) => void;
}

/** One list in the sidebar: select it, rename it in place, or delete it after an inline confirmation. */
export function ListEntry({ list, selected, onSelect, onRenamed, onDeleted, onMissing }: Props) {
  const [mode, setMode] = useState<Mode>("view");
  const [busy, setBusy] = useState(false);
  const [draft, setDraft] = useState(list.name);
  const [fieldError, setFieldError] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const id = useId();
  const renameRef = useRef<HTMLButtonElement>(null);
  const deleteRef = useRef<HTMLButtonElement>(null);
  const inputRef = useRef<HTMLInputElement>(null);
  const keepRef = useRef<HTMLButtonElement>(null);
  const afterRender = useAfterRender();

  // Once the entry shows its new mode; the name field with its text selected, to be typed over.
  const focus = (target: RefObject<HTMLElement | null>) =>
    afterRender(() => {
      const element = target.current;
      element?.focus();
      if (element instanceof HTMLInputElement) element.select();
    });

  function to(next: Mode, target: RefObject<HTMLElement | null>) {
    setError(null);
    setFieldError(null);
    setMode(next);
    focus(target);
  }

  function startRename() {
    setDraft(list.name);
    to("rename", inputRef);
  }

  async function save(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (busy) return;
    if (draft.trim() === list.name) return to("view", renameRef);
    setBusy(true);
    setError(null);
    setFieldError(null);
    try {
      const renamed = await renameList(list.id, draft);
      setBusy(false);
      to("view", renameRef);
      onRenamed(renamed);
    } catch (caught) {
      const failure = toApiFailure(caught);
      setBusy(false);
      if (failure.status === 404) return void onMissing(list.id);
      const { field, general } = listNameErrors(failure);
      setFieldError(field);
      setError(general);
      focus(inputRef);
    }
  }

  function onRenameKeyDown(event: KeyboardEvent) {
    if (event.key === "Escape" && !busy) {
      event.preventDefault();
      to("view", renameRef);
    }
  }

  async function confirmDelete() {
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      await deleteList(list.id);
      onDeleted(list.id);
    } catch (caught) {
      const failure = toApiFailure(caught);
      setBusy(false);
      if (failure.status === 404) return void onMissing(list.id);
      setError(failure.detail);
      focus(keepRef);
    }
  }

  const errorBlock = error ? (
    <p className="row-error" role="alert">
      {error}
    </p>
  ) : null;

  if (mode === "rename") {
    return (
      <li className="list-entry list-entry-editing" data-list-id={list.id}>
        <form onSubmit={save} onKeyDown={onRenameKeyDown} noValidate aria-label={`Rename list: ${list.name}`}>
          <label htmlFor={`${id}-name`} className="sr-only">
            List name
          </label>
          <input
            ref={inputRef}
            id={`${id}-name`}
            value={draft}
            autoComplete="off"
            aria-invalid={fieldError ? true : undefined}
            aria-describedby={fieldError ? `${id}-error` : undefined}
            onChange={(event) => {
              setDraft(event.target.value);
              setFieldError(null);
            }}
          />
          <FieldMessage id={`${id}-error`} message={fieldError ?? undefined} testId="list-rename-error" />
          {errorBlock}
          <div className="row-actions">
            <button type="button" className="button button-ghost button-small" onClick={() => to("view", renameRef)} disabled={busy}>
              Cancel
            </button>
            <button type="submit" className="button button-primary button-small" disabled={busy}>
              {busy ? "Saving…" : "Save"}
            </button>
          </div>
        </form>
      </li>
    );
  }

  return (
    <li className="list-entry" data-list-id={list.id}>
      <div className="list-entry-row">
        <button type="button" className="list-link" aria-current={selected ? "true" : undefined} onClick={onSelect} title={list.name}>
          <span className="list-link-name">{list.name}</span>
        </button>
        {mode === "view" ? (
          <span className="list-entry-actions">
            <button ref={renameRef} type="button" className="icon-button" onClick={startRename} title="Rename">
              <span aria-hidden="true">✎</span>
              <span className="sr-only">Rename list: {list.name}</span>
            </button>
            <button
              ref={deleteRef}
              type="button"
              className="icon-button icon-button-danger"
              onClick={() => to("confirm-delete", keepRef)}
              title="Delete"
            >
              <span aria-hidden="true">✕</span>
              <span className="sr-only">Delete list: {list.name}</span>
            </button>
          </span>
        ) : null}
      </div>
      {errorBlock}
      {mode === "confirm-delete" ? (
        <Confirm
          label={`Confirm deleting ${list.name}`}
          action="Delete list"
          running="Deleting…"
          busy={busy}
          keepRef={keepRef}
          onKeep={() => to("view", deleteRef)}
          onConfirm={confirmDelete}
          compact
        >
          Delete &ldquo;{list.name}&rdquo;? Its tasks stay, under No list.
        </Confirm>
      ) : null}
    </li>
  );
}
