import { describe, expect, it } from "vitest";
import { machineHosts } from "@/lib/http/machine-hosts";
import { authBaseURL, trustedOrigins } from "@/lib/auth/origins";

const none = { CORS_ORIGINS: [] as string[] };

describe("Better Auth origins", () => {
  it("use the configured URL when there is one", () => {
    expect(authBaseURL({ ...none, BETTER_AUTH_URL: "https://tasks.example.com" })).toBe("https://tasks.example.com");
    expect(trustedOrigins({ ...none, BETTER_AUTH_URL: "https://tasks.example.com/app" })).toEqual(["https://tasks.example.com"]);
  });

  it("on a Vercel preview, allow exactly the deployment's own hosts, never *.vercel.app", () => {
    const env = {
      ...none,
      VERCEL_URL: "task-api-abc123-team.vercel.app",
      VERCEL_BRANCH_URL: "task-api-git-feature-team.vercel.app",
      VERCEL_PROJECT_PRODUCTION_URL: "tasks.example.com",
    };
    expect(authBaseURL(env)).toEqual({
      allowedHosts: ["task-api-git-feature-team.vercel.app", "task-api-abc123-team.vercel.app", "tasks.example.com"],
      fallback: "https://task-api-git-feature-team.vercel.app",
      protocol: "auto",
    });
    const origins = trustedOrigins(env);
    expect(origins).toEqual([
      "https://task-api-git-feature-team.vercel.app",
      "https://task-api-abc123-team.vercel.app",
      "https://tasks.example.com",
    ]);
    expect(origins.join(" ")).not.toContain("*");
  });

  it("locally, derive the origin from the request for this machine's own names only", () => {
    const base = authBaseURL(none);
    expect(base).toMatchObject({ protocol: "http" });
    const own = ["localhost", ...machineHosts()];
    const hosts = typeof base === "object" ? base.allowedHosts : [];
    expect(hosts).toEqual(expect.arrayContaining(["localhost:*", "127.0.0.1:*", "[::1]:*"]));
    expect(hosts.every((host) => own.includes(host.replace(/:\*$/, "")))).toBe(true);
    expect(hosts.join(" ")).not.toMatch(/(^|\s)\*/);
  });
});
