"use client";

import { useEffect, useRef } from "react";
import { useServiceStatus } from "./service-status";

/**
 * The loads of one thing on the page (the session, tasks, lists, API keys), numbered. Only the
 * latest load's answer is used. A change the page makes itself (an item created, saved or
 * deleted) while a load is on its way must load again: that answer was asked for before the
 * change, and would put the list back as it was.
 */
export function useLatestLoad() {
  const { recoveryCount } = useServiceStatus();
  const latest = useRef(0);
  const loading = useRef(false);
  const startedAtRecovery = useRef(0);
  return {
    /** Starts a load; the function it returns says whether its answer is still the one to use. */
    start(): () => boolean {
      const current = ++latest.current;
      loading.current = true;
      startedAtRecovery.current = recoveryCount();
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
    /** The API's recovery count when the latest load started. */
    startedAtRecovery: () => startedAtRecovery.current,
  };
}

/**
 * A load that failed (the database was down, the server could not be reached) runs again by
 * itself at the first recovery of the API since it started, without a page reload. Since it
 * started, not since it failed: the recovery may be counted while its failed answer is still
 * being read, and would otherwise be missed, leaving the failure on the page for good.
 */
export function useReloadOnRecovery(loads: ReturnType<typeof useLatestLoad>, failed: boolean, reload: () => Promise<void>) {
  const { recoveries } = useServiceStatus();
  useEffect(() => {
    if (failed && recoveries > loads.startedAtRecovery()) void reload();
  }, [failed, recoveries]); // not on a new `reload`: a new view loads by itself
}
