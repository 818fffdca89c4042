"use client";

import { useCallback, useLayoutEffect, useRef, useState, type RefObject } from "react";

/**
 * Runs an action (a focus move) once the state set alongside it is on the page. A
 * requestAnimationFrame callback is not that: on a loaded machine it ran before React's commit,
 * when the element to focus was not there yet or still disabled, or after the user had moved on,
 * taking the focus from the field they were typing in.
 */
export function useAfterRender(): (action: () => void) => void {
  const pending = useRef<(() => void) | null>(null);
  const [requests, setRequests] = useState(0);
  useLayoutEffect(() => {
    const action = pending.current;
    pending.current = null;
    action?.();
  }, [requests]);
  return useCallback((action: () => void) => {
    pending.current = action;
    setRequests((count) => count + 1);
  }, []);
}

/** The common action: focus an element (a control enabled again, or shown by a mode change). */
export function useFocusAfterRender(): (target: RefObject<HTMLElement | null>) => void {
  const afterRender = useAfterRender();
  return useCallback((target) => afterRender(() => target.current?.focus()), [afterRender]);
}
