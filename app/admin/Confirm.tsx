import type { ReactNode, RefObject } from "react";

interface Props {
  /** The group's accessible name, e.g. "Confirm deleting Groceries". */
  label: string;
  /** The question: what goes, and what cannot be undone. */
  children: ReactNode;
  /** The go-ahead button's text, and its text while the action runs. */
  action: string;
  running: string;
  busy: boolean;
  /** "Keep it": the caller focuses it when the question appears, and after a failed action. */
  keepRef: RefObject<HTMLButtonElement | null>;
  onKeep: () => void;
  onConfirm: () => void;
  /** The sidebar's smaller form. */
  compact?: boolean;
}

/** The inline "are you sure?" before a destructive action: keep it, or go ahead. */
export function Confirm({ label, children, action, running, busy, keepRef, onKeep, onConfirm, compact = false }: Props) {
  const small = compact ? " button-small" : "";
  return (
    <div className={`confirm${compact ? " confirm-compact" : ""}`} role="group" aria-label={label}>
      <p>{children}</p>
      <div className="row-actions">
        <button ref={keepRef} type="button" className={`button button-ghost${small}`} onClick={onKeep} disabled={busy}>
          Keep it
        </button>
        <button type="button" className={`button button-danger${small}`} onClick={onConfirm} disabled={busy}>
          {busy ? running : action}
        </button>
      </div>
    </div>
  );
}
