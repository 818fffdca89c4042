"use client";

import { useRef } from "react";

/**
 * The loads of one list on the page (tasks, lists, API keys), numbered. Only the latest load's
 * answer is used. A change the page makes itself (an item created, saved or deleted) while a
 * load is on its way must load again: that answer was asked for before the change, and would
 * put the list back as it was.
 */
export function useLatestLoad() {
  const latest = useRef(0);
  const loading = useRef(false);
  return {
    /** Starts a load; the function it returns says whether its answer is still the one to use. */
    start(): () => boolean {
      const current = ++latest.current;
      loading.current = true;
      return () => {
        if (current !== latest.current) return false;
        loading.current = false;
        return true;
      };
    },
    /** Call after a change the page made itself: a load on its way, whose answer would undo it, loads again. */
    changed(reload: () => Promise<void>) {
      if (loading.current) void reload();
    },
    /** The number of the latest load, for answers that belong to it (a next page). */
    latest: () => latest.current,
  };
}
