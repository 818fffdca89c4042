"use client";

import { useCallback, useEffect, useState } from "react";
import { listTasks, toApiFailure, type ApiFailure, type Task } from "./api";
import { queryOf, type TaskView } from "./task-view";
import { useLatestLoad, useReloadOnRecovery } from "./useLatestLoad";

export type PagesState = { kind: "loading" } | { kind: "error"; error: ApiFailure } | { kind: "ready" };

/**
 * The loaded pages of the task list for a view. A new view (list, status, sort or search)
 * starts again from the first page; "Load more" follows `next_cursor` with the same query, the
 * only one that cursor works with. Answers to an older view are dropped.
 */
export function useTaskPages(view: TaskView) {
  const [items, setItems] = useState<Task[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [state, setState] = useState<PagesState>({ kind: "loading" });
  const [loadingMore, setLoadingMore] = useState(false);
  const [moreError, setMoreError] = useState<ApiFailure | null>(null);
  const loads = useLatestLoad();
  const key = JSON.stringify(queryOf(view));

  const reload = useCallback(async () => {
    const isLatest = loads.start();
    setState({ kind: "loading" });
    setLoadingMore(false);
    setMoreError(null);
    try {
      const page = await listTasks(JSON.parse(key));
      if (!isLatest()) return;
      setItems(page.items);
      setCursor(page.next_cursor);
      setState({ kind: "ready" });
    } catch (caught) {
      if (!isLatest()) return;
      setState({ kind: "error", error: toApiFailure(caught) });
    }
  }, [key]);

  /** Applies a change this page made itself (a task created, saved or deleted). */
  function edit(change: (items: Task[]) => Task[]) {
    setItems(change);
    loads.changed(reload);
  }

  useEffect(() => {
    void reload();
  }, [reload]);

  useReloadOnRecovery(loads, state.kind === "error", reload);

  /** The next page, appended; resolves to how many tasks came, or null if none did. */
  async function loadMore(): Promise<number | null> {
    if (!cursor || loadingMore) return null;
    const current = loads.latest();
    setLoadingMore(true);
    setMoreError(null);
    try {
      const page = await listTasks({ ...JSON.parse(key), cursor });
      if (current !== loads.latest()) return null;
      setItems((previous) => {
        const seen = new Set(previous.map((task) => task.id));
        return [...previous, ...page.items.filter((task) => !seen.has(task.id))];
      });
      setCursor(page.next_cursor);
      return page.items.length;
    } catch (caught) {
      if (current === loads.latest()) setMoreError(toApiFailure(caught));
      return null;
    } finally {
      if (current === loads.latest()) setLoadingMore(false);
    }
  }

  return { items, edit, cursor, state, loadingMore, moreError, reload, loadMore };
}
