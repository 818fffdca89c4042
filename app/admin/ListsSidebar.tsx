"use client";

import { useId, useRef, useState } from "react";
import type { List } from "./api";
import { CreateListForm } from "./CreateListForm";
import { ListEntry } from "./ListEntry";
import type { ListFilter } from "./task-view";
import type { ListsState } from "./useLists";

interface Props {
  state: ListsState;
  selected: ListFilter;
  /** What the selected entry is called ("All tasks", "No list" or the list's name). */
  selectedName: string;
  onSelect: (filter: ListFilter) => void;
  onRetry: () => void;
  onCreated: (list: List) => void;
  onRenamed: (list: List) => void;
  onDeleted: (id: number) => void;
  onMissing: (id: number) => void;
}

/**
 * The lists: "All tasks", "No list" and the user's own, each filtering the task list; create,
 * rename and delete in place. On a narrow screen it sits above the task list, folded to one
 * line that names the selected entry.
 */
export function ListsSidebar({ state, selected, selectedName, onSelect, onRetry, onCreated, onRenamed, onDeleted, onMissing }: Props) {
  const [open, setOpen] = useState(false);
  const id = useId();
  const headingRef = useRef<HTMLHeadingElement>(null);

  function select(filter: ListFilter) {
    onSelect(filter);
    setOpen(false); // folds it on a narrow screen, to show the tasks; no effect on a wide one
  }

  function deleted(listId: number) {
    onDeleted(listId);
    headingRef.current?.focus();
  }

  const fixed: { filter: ListFilter; label: string }[] = [
    { filter: "all", label: "All tasks" },
    { filter: "none", label: "No list" },
  ];

  return (
    <section className="card sidebar" aria-labelledby={`${id}-heading`} data-open={open}>
      <div className="sidebar-head">
        <h2 id={`${id}-heading`} ref={headingRef} tabIndex={-1} className="card-title">
          Lists
        </h2>
        <span className="sidebar-current" aria-hidden="true">
          {selectedName}
        </span>
        <button
          type="button"
          className="button button-secondary button-small sidebar-toggle"
          aria-expanded={open}
          aria-controls={`${id}-body`}
          onClick={() => setOpen((value) => !value)}
        >
          {open ? "Hide lists" : "Show lists"}
        </button>
      </div>
      <div id={`${id}-body`} className="sidebar-body">
        <ul className="list-nav" aria-label="Your lists" aria-busy={state.kind === "loading"}>
          {fixed.map(({ filter, label }) => (
            <li key={label} className="list-entry">
              <div className="list-entry-row">
                <button type="button" className="list-link list-link-fixed" aria-current={selected === filter ? "true" : undefined} onClick={() => select(filter)}>
                  <span className="list-link-name">{label}</span>
                </button>
              </div>
            </li>
          ))}
          {state.kind === "ready"
            ? state.lists.map((list) => (
                <ListEntry
                  key={list.id}
                  list={list}
                  selected={selected === list.id}
                  onSelect={() => select(list.id)}
                  onRenamed={onRenamed}
                  onDeleted={deleted}
                  onMissing={onMissing}
                />
              ))
            : null}
        </ul>
        {state.kind === "loading" ? (
          <p className="sidebar-note" role="status">
            <span className="spinner" aria-hidden="true" /> Loading lists…
          </p>
        ) : state.kind === "error" ? (
          <div className="sidebar-note sidebar-failed" role="alert">
            <p>
              <strong>Couldn&rsquo;t load your lists.</strong> {state.error.detail}
            </p>
            <button type="button" className="button button-secondary button-small" onClick={onRetry}>
              Try again
            </button>
          </div>
        ) : state.lists.length === 0 ? (
          <p className="sidebar-note muted" data-testid="lists-empty">
            No lists yet. Make one to group your tasks.
          </p>
        ) : null}
        <CreateListForm onCreated={onCreated} />
      </div>
    </section>
  );
}
