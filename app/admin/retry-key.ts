import { useRef } from "react";

/**
 * The Idempotency-Key of a form's create. A create whose answer was lost (a dropped connection,
 * a gateway timeout) may have been made all the same: sending the same input again reuses its
 * key, so the API replays that create instead of making a second one (or, for a list, refusing
 * its own name). Other input, or a create that succeeded, gets a new key.
 */
export function useRetryKey() {
  const last = useRef<{ key: string; input: string } | null>(null);
  return {
    keyFor(input: unknown): string {
      const text = JSON.stringify(input);
      if (last.current?.input !== text) last.current = { key: newKey(), input: text };
      return last.current.key;
    },
    created() {
      last.current = null;
    },
  };
}

// getRandomValues, not randomUUID: the page may be served over plain HTTP on a LAN address, which
// is not a secure context.
function newKey(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (byte) => byte.toString(16).padStart(2, "0")).join("");
}
