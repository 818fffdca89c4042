import type { Env } from "@/lib/env";
import { machineHosts } from "@/lib/http/machine-hosts";

type Origins = Pick<Env, "BETTER_AUTH_URL" | "CORS_ORIGINS" | "VERCEL_URL" | "VERCEL_BRANCH_URL" | "VERCEL_PROJECT_PRODUCTION_URL">;

// This machine's own names, on any port: `localhost`, loopback and its interface addresses (the
// "Network" address `next dev` prints), so that the app works wherever it is opened locally.
const localHosts = () => ["localhost", ...machineHosts()].flatMap((host) => [host, `${host}:*`]);

/** The hosts this deployment answers on, as Vercel names them: exact hosts, never `*.vercel.app`. */
export function deploymentHosts(env: Origins): string[] {
  const hosts = [env.VERCEL_BRANCH_URL, env.VERCEL_URL, env.VERCEL_PROJECT_PRODUCTION_URL].filter(
    (host): host is string => Boolean(host),
  );
  return [...new Set(hosts)];
}

/**
 * Better Auth's base URL: the configured public URL when there is one; on a Vercel deployment,
 * whichever of its own hosts (branch URL, deployment URL, production domain) the request came
 * to; elsewhere, a local host taken from the request.
 */
export function authBaseURL(env: Origins) {
  if (env.BETTER_AUTH_URL) return env.BETTER_AUTH_URL;
  const hosts = deploymentHosts(env);
  if (hosts.length > 0) return { allowedHosts: hosts, fallback: `https://${hosts[0]}`, protocol: "auto" as const };
  return { allowedHosts: localHosts(), protocol: "http" as const };
}

/** Origins whose browsers may call the auth routes with cookies. */
export function trustedOrigins(env: Origins): string[] {
  const origins = deploymentHosts(env).map((host) => `https://${host}`);
  if (env.BETTER_AUTH_URL) origins.push(new URL(env.BETTER_AUTH_URL).origin);
  return [...new Set([...origins, ...env.CORS_ORIGINS])];
}
