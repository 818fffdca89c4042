"use client";

import { createContext, useCallback, useContext, useEffect, useRef, useState, type ReactNode } from "react";
import { getHealth, onResponse, toApiFailure, type Health } from "./api";

// Health of the API as the page sees it: polled from /api/health, and also learned from any
// other request that answers 503 (database unavailable) or gets no answer at all. While the
// service is down it is re-checked every few seconds; `recoveries` counts the returns to
// health, so that whatever failed meanwhile can load again by itself, without a page reload
// (useLatestLoad). `recoveryCount()` is that count now, ahead of the render that shows it.
// A health check asked for before another request saw the outage says nothing about after it:
// its "ok" is not a recovery, and the service is checked again at once.

export type HealthState =
  | { kind: "checking" }
  | { kind: "ok"; health: Health }
  | { kind: "down"; detail: string }
  | { kind: "unreachable"; detail: string };

interface ServiceStatus {
  state: HealthState;
  recoveries: number;
  recoveryCount: () => number;
}

const ServiceStatusContext = createContext<ServiceStatus>({ state: { kind: "checking" }, recoveries: 0, recoveryCount: () => 0 });

export const useServiceStatus = () => useContext(ServiceStatusContext);

const HEALTHY_POLL_MS = 30_000;
const RETRY_POLL_MS = 2_000;
const DOWN_DETAIL = "Database unavailable, retry shortly";

export function ServiceStatusProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<HealthState>({ kind: "checking" });
  const [recoveries, setRecoveries] = useState(0);
  const recoveryCount = useRef(0);
  const kind = useRef<HealthState["kind"]>("checking");
  const outagesSeen = useRef(0);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const check = useRef<() => void>(() => {});

  const apply = useCallback((next: HealthState) => {
    const was = kind.current;
    kind.current = next.kind;
    setState(next);
    if ((was === "down" || was === "unreachable") && next.kind === "ok") setRecoveries(++recoveryCount.current);
  }, []);

  const schedule = useCallback((ms: number) => {
    clearTimeout(timer.current);
    timer.current = setTimeout(() => check.current(), ms);
  }, []);

  useEffect(() => {
    // Per effect run (React may run it twice in development): a check started by an earlier
    // run must not block this one, and its late answer is ignored.
    let active = true;
    let inFlight = false;
    check.current = async () => {
      if (inFlight) return;
      inFlight = true;
      clearTimeout(timer.current);
      const outagesSeenBefore = outagesSeen.current;
      let next: HealthState;
      try {
        next = { kind: "ok", health: await getHealth() };
      } catch (error) {
        const failure = toApiFailure(error);
        next =
          failure.status === 503
            ? { kind: "down", detail: failure.detail || DOWN_DETAIL }
            : { kind: "unreachable", detail: failure.detail };
      }
      inFlight = false;
      if (!active) return;
      if (next.kind === "ok" && outagesSeen.current !== outagesSeenBefore) return schedule(0);
      apply(next);
      schedule(next.kind === "ok" ? HEALTHY_POLL_MS : RETRY_POLL_MS);
    };

    const stopListening = onResponse(({ path, status }) => {
      if (path.startsWith("/api/health")) return;
      if (status === 503 && kind.current !== "down") {
        outagesSeen.current++;
        apply({ kind: "down", detail: DOWN_DETAIL });
        schedule(RETRY_POLL_MS);
      } else if (status === 0 && kind.current === "ok") {
        outagesSeen.current++;
        apply({ kind: "unreachable", detail: "Could not reach the server" });
        schedule(RETRY_POLL_MS);
      } else if (status !== 0 && status !== 503 && (kind.current === "down" || kind.current === "unreachable")) {
        // Another request got through: confirm the recovery now rather than at the next poll.
        schedule(0);
      }
    });

    const onVisible = () => {
      if (document.visibilityState === "visible") schedule(0);
    };
    const onOnline = () => schedule(0);
    document.addEventListener("visibilitychange", onVisible);
    window.addEventListener("online", onOnline);
    check.current();

    return () => {
      active = false;
      clearTimeout(timer.current);
      stopListening();
      document.removeEventListener("visibilitychange", onVisible);
      window.removeEventListener("online", onOnline);
    };
  }, [apply, schedule]);

  const current = useCallback(() => recoveryCount.current, []);
  return <ServiceStatusContext.Provider value={{ state, recoveries, recoveryCount: current }}>{children}</ServiceStatusContext.Provider>;
}

function describe(state: HealthState): { label: string; tone: string; title: string } {
  switch (state.kind) {
    case "checking":
      return { label: "Checking…", tone: "neutral", title: "Checking the API health" };
    case "ok": {
      const { health } = state;
      const pending = health.migrations === "pending";
      const parts = [`database ${health.database}`];
      if (health.driver) parts.push(`driver ${health.driver}`);
      if (health.migrations) parts.push(`migrations ${health.migrations.replaceAll("_", " ")}`);
      return {
        label: pending ? "Migrations pending" : "Operational",
        tone: pending ? "warn" : "ok",
        title: `API ${health.status}: ${parts.join(", ")}`,
      };
    }
    case "down":
      return { label: "Database unavailable", tone: "bad", title: state.detail };
    case "unreachable":
      return { label: "API unreachable", tone: "bad", title: state.detail };
  }
}

export function HealthBadge() {
  const { state } = useServiceStatus();
  const { label, tone, title } = describe(state);
  return (
    <span className={`badge badge-${tone}`} title={title} data-testid="health-badge" data-state={state.kind}>
      <span className="badge-dot" aria-hidden="true" />
      <span className="sr-only">API status: </span>
      {label}
    </span>
  );
}

export function ServiceBanner() {
  const { state } = useServiceStatus();
  // The live region stays in the page so that screen readers announce it when it fills.
  return (
    <div role="alert" className="banner-slot">
      {state.kind === "down" || state.kind === "unreachable" ? (
        <div className="banner" data-testid="service-banner">
          <span className="spinner" aria-hidden="true" />
          <div>
            <strong>{state.kind === "down" ? "The database is unavailable." : "The server cannot be reached."}</strong>{" "}
            Tasks can&rsquo;t be loaded or saved right now. Retrying automatically&hellip;
          </div>
        </div>
      ) : null}
    </div>
  );
}
