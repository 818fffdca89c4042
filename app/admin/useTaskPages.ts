"use client";

import { useCallback, useEffect, useRef, useState } from "react";
import { listTasks, toApiFailure, type ApiFailure, type Task } from "./api";
import { useServiceStatus } from "./service-status";
import { queryOf, type TaskView } from "./task-view";

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
  const { recoveries } = useServiceStatus();
  const request = useRef(0);
  const firstPageLoading = useRef(false);
  const key = JSON.stringify(queryOf(view));

  const reload = useCallback(async () => {
    const current = ++request.current;
    firstPageLoading.current = true;
    setState({ kind: "loading" });
    setLoadingMore(false);
    setMoreError(null);
    try {
      const page = await listTasks(JSON.parse(key));
      if (current !== request.current) return;
      firstPageLoading.current = false;
      setItems(page.items);
      setCursor(page.next_cursor);
      setState({ kind: "ready" });
    } catch (caught) {
      if (current !== request.current) return;
      firstPageLoading.current = false;
      setState({ kind: "error", error: toApiFailure(caught) });
    }
  }, [key]);

  /**
   * Applies a change this page made itself (a task created, saved or deleted). A first page
   * still on its way was asked for before that change and would put the list back as it was
   * (a new task gone until a reload), so it is dropped and the first page asked for again.
   */
  function edit(change: (items: Task[]) => Task[]) {
    setItems(change);
    if (firstPageLoading.current) void reload();
  }

  useEffect(() => {
    void reload();
  }, [reload]);

  // A list that failed (e.g. the database was down) loads again by itself once the API is back.
  const failed = state.kind === "error";
  useEffect(() => {
    if (recoveries > 0 && failed) void reload();
  }, [recoveries]); // only on a recovery, not on every change of the list

  /** The next page, appended; resolves to how many tasks came, or null if none did. */
  async function loadMore(): Promise<number | null> {
    if (!cursor || loadingMore) return null;
    const current = request.current;
    setLoadingMore(true);
    setMoreError(null);
    try {
      const page = await listTasks({ ...JSON.parse(key), cursor });
      if (current !== request.current) return null;
      setItems((previous) => {
        const seen = new Set(previous.map((task) => task.id));
        return [...previous, ...page.items.filter((task) => !seen.has(task.id))];
      });
      setCursor(page.next_cursor);
      return page.items.length;
    } catch (caught) {
      if (current === request.current) setMoreError(toApiFailure(caught));
      return null;
    } finally {
      if (current === request.current) setLoadingMore(false);
    }
  }

  return { items, edit, cursor, state, loadingMore, moreError, reload, loadMore };
}
