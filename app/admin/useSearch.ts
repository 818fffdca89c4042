"use client";

import { useCallback, useEffect, useRef, useState } from "react";

/** How long typing must pause before the search is sent. */
export const SEARCH_DEBOUNCE_MS = 300;

/**
 * A search box's text and the search it stands for: the trimmed text, once typing has paused
 * for SEARCH_DEBOUNCE_MS (or at once, with `flush`).
 */
export function useSearch() {
  const [text, setText] = useState("");
  const [query, setQuery] = useState("");
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  useEffect(() => {
    timer.current = setTimeout(() => setQuery(text.trim()), SEARCH_DEBOUNCE_MS);
    return () => clearTimeout(timer.current);
  }, [text]);

  const flush = useCallback(() => {
    clearTimeout(timer.current);
    setQuery(text.trim());
  }, [text]);

  return { text, setText, query, flush };
}
