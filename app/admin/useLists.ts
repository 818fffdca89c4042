"use client";

import { useCallback, useEffect, useState } from "react";
import { listAllLists, toApiFailure, type ApiFailure, type List } from "./api";
import { useLatestLoad, useReloadOnRecovery } from "./useLatestLoad";

// The user's lists, loaded once (every page) and kept in the API's order (by name, ignoring
// case) as the page creates, renames and deletes them.

export type ListsState = { kind: "loading" } | { kind: "error"; error: ApiFailure } | { kind: "ready"; lists: List[] };

const byName = (a: List, b: List) => {
  const [x, y] = [a.name.toLowerCase(), b.name.toLowerCase()];
  return x < y ? -1 : x > y ? 1 : a.id - b.id;
};

export function useLists() {
  const [state, setState] = useState<ListsState>({ kind: "loading" });
  const loads = useLatestLoad();

  const reload = useCallback(async () => {
    const isLatest = loads.start();
    setState({ kind: "loading" });
    try {
      const lists = await listAllLists();
      if (isLatest()) setState({ kind: "ready", lists });
    } catch (caught) {
      if (isLatest()) setState({ kind: "error", error: toApiFailure(caught) });
    }
  }, []);

  useEffect(() => {
    void reload();
  }, [reload]);

  useReloadOnRecovery(loads, state.kind === "error", reload);

  /** Adds or replaces a list (created or renamed). */
  const put = useCallback((list: List) => {
    setState((current) =>
      current.kind === "ready"
        ? { kind: "ready", lists: [...current.lists.filter((item) => item.id !== list.id), list].sort(byName) }
        : current,
    );
    loads.changed(reload);
  }, []);

  const remove = useCallback((id: number) => {
    setState((current) => (current.kind === "ready" ? { kind: "ready", lists: current.lists.filter((item) => item.id !== id) } : current));
    loads.changed(reload);
  }, []);

  const lists = state.kind === "ready" ? state.lists : [];
  return { state, lists, reload, put, remove };
}
