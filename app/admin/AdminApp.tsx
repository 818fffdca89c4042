"use client";

import { useCallback, useEffect, useRef, useState } from "react";
import { getSession, onResponse, signOut, toApiFailure, type ApiFailure, type User } from "./api";
import { ApiKeysPanel } from "./ApiKeysPanel";
import { AuthForm } from "./AuthForm";
import { HealthBadge, ServiceBanner, ServiceStatusProvider } from "./service-status";
import { useLatestLoad, useReloadOnRecovery } from "./useLatestLoad";
import { TaskBoard } from "./TaskBoard";
import { useAfterRender } from "./useAfterRender";

type Session =
  | { kind: "loading" }
  | { kind: "error"; error: ApiFailure }
  | { kind: "signed-out"; notice: string | null }
  | { kind: "signed-in"; user: User };

export function AdminApp() {
  return (
    <ServiceStatusProvider>
      <Admin />
    </ServiceStatusProvider>
  );
}

function Admin() {
  const afterRender = useAfterRender();
  const [session, setSession] = useState<Session>({ kind: "loading" });
  const [signingOut, setSigningOut] = useState(false);
  const [signOutError, setSignOutError] = useState<string | null>(null);
  const sessionLoads = useLatestLoad();
  const mainRef = useRef<HTMLElement>(null);
  const signedIn = session.kind === "signed-in";

  const loadSession = useCallback(async () => {
    const isLatest = sessionLoads.start();
    setSession({ kind: "loading" });
    try {
      const user = await getSession();
      if (isLatest()) setSession(user ? { kind: "signed-in", user } : { kind: "signed-out", notice: null });
    } catch (caught) {
      if (isLatest()) setSession({ kind: "error", error: toApiFailure(caught) });
    }
  }, []);

  useEffect(() => {
    void loadSession();
  }, [loadSession]);

  useReloadOnRecovery(sessionLoads, session.kind === "error", loadSession);

  // A task, list or API-key request answered 401: the session ended elsewhere (signed out in another
  // tab, expired).
  useEffect(() => {
    if (!signedIn) return;
    return onResponse(({ path, status }) => {
      if (status === 401 && (path.startsWith("/api/tasks") || path.startsWith("/api/lists") || path.startsWith("/api/auth/api-key/"))) {
        setSession({ kind: "signed-out", notice: "Your session has ended. Please sign in again." });
      }
    });
  }, [signedIn]);

  function onSignedIn(user: User) {
    setSession({ kind: "signed-in", user });
    setSignOutError(null);
    // Keyboard and screen-reader users land in the content; the page stays at its top, with the
    // header's status and sign-out in view (main is taller than the screen: focus would scroll it).
    afterRender(() => mainRef.current?.focus({ preventScroll: true }));
  }

  async function handleSignOut() {
    if (signingOut) return;
    setSigningOut(true);
    setSignOutError(null);
    try {
      await signOut();
      setSession({ kind: "signed-out", notice: "You have been signed out." });
    } catch (caught) {
      setSignOutError(toApiFailure(caught).detail);
    } finally {
      setSigningOut(false);
    }
  }

  return (
    <div className="app">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <div className="topbar-inner">
          <div className="brand">
            <span className="brand-mark" aria-hidden="true">
              ✓
            </span>
            <span className="brand-name">Tasks</span>
            <span className="brand-tag">Admin</span>
          </div>
          <div className="topbar-right">
            <HealthBadge />
            {session.kind === "signed-in" ? (
              <div className="account">
                <span className="account-email" title={session.user.email}>
                  {session.user.email}
                </span>
                <button type="button" className="button button-secondary button-small" onClick={handleSignOut} disabled={signingOut}>
                  {signingOut ? "Signing out…" : "Sign out"}
                </button>
              </div>
            ) : null}
          </div>
        </div>
      </header>

      <ServiceBanner />

      <main id="main" ref={mainRef} tabIndex={-1} className={`content${session.kind === "signed-in" ? "" : " content-narrow"}`}>
        {signOutError ? (
          <p className="form-error" role="alert">
            Couldn&rsquo;t sign out: {signOutError}
          </p>
        ) : null}

        {session.kind === "loading" ? (
          <div className="center-state" role="status">
            <span className="spinner" aria-hidden="true" /> Loading…
          </div>
        ) : session.kind === "error" ? (
          <div className="card center-card" role="alert">
            <h1>Can&rsquo;t reach your account</h1>
            <p className="muted">{session.error.detail}</p>
            <p className="muted">This page will try again automatically when the service is back.</p>
            <button type="button" className="button button-secondary" onClick={() => void loadSession()}>
              Try again now
            </button>
          </div>
        ) : session.kind === "signed-out" ? (
          <AuthForm onSignedIn={onSignedIn} notice={session.notice} />
        ) : (
          <>
            <div className="page-head">
              <h1>Tasks</h1>
              <p className="muted">
                Signed in as <strong>{session.user.name || session.user.email}</strong>
              </p>
            </div>
            <TaskBoard key={session.user.id} />
            <ApiKeysPanel key={`keys-${session.user.id}`} />
          </>
        )}
      </main>
    </div>
  );
}
