"use client";

import { useId } from "react";
import type { TaskSort } from "./api";
import { SORTS } from "./task-view";

/** The API's longest search (`q`, lib/tasks/schema.ts): 100 characters. */
export const SEARCH_MAX = 100;

interface Props {
  search: string;
  onSearch: (text: string) => void;
  /** Enter in the search box: search now rather than after the pause. */
  onSearchNow: () => void;
  sort: TaskSort;
  onSort: (sort: TaskSort) => void;
}

/** Search by title (sent after a pause in typing) and the sort menu. */
export function TaskToolbar({ search, onSearch, onSearchNow, sort, onSort }: Props) {
  const id = useId();
  return (
    <div className="toolbar">
      <div className="toolbar-search" role="search">
        <label htmlFor={`${id}-search`} className="sr-only">
          Search tasks
        </label>
        <input
          id={`${id}-search`}
          type="search"
          placeholder="Search titles…"
          autoComplete="off"
          maxLength={SEARCH_MAX}
          value={search}
          onChange={(event) => onSearch(event.target.value)}
          onKeyDown={(event) => {
            if (event.key === "Enter") {
              event.preventDefault();
              onSearchNow();
            }
          }}
        />
      </div>
      <div className="toolbar-sort">
        <label htmlFor={`${id}-sort`}>Sort</label>
        <select id={`${id}-sort`} value={sort} onChange={(event) => onSort(event.target.value as TaskSort)}>
          {SORTS.map(({ value, label }) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </select>
      </div>
    </div>
  );
}
