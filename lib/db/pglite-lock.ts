import fs from "node:fs";
import path from "node:path";
import { ConfigError } from "@/lib/config-error";

// PGlite has no cross-process lock: two processes on one directory both "succeed" and one of
// them silently loses its writes. A lock file beside the directory, holding the owner's pid,
// turns that into a clear refusal. A lock left by a dead process (kill -9) is taken over.
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function tryCreate(lockPath: string): boolean {
  try {
    fs.writeFileSync(lockPath, String(process.pid), { flag: "wx" });
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  }
}

export function acquireDirectoryLock(directory: string): () => void {
  fs.mkdirSync(path.dirname(directory), { recursive: true });
  const lockPath = `${directory}.lock`;
  for (let attempt = 0; attempt < 3; attempt++) {
    if (tryCreate(lockPath)) {
      const release = () => fs.rmSync(lockPath, { force: true });
      process.once("exit", release);
      return release;
    }
    const owner = Number.parseInt(fs.readFileSync(lockPath, "utf8"), 10);
    if (owner === process.pid) return () => {};
    if (Number.isInteger(owner) && isAlive(owner)) {
      throw new ConfigError(
        `PGlite data directory ${directory} is in use by process ${owner}. PGlite allows one process per ` +
          `directory: stop that process, or point DATABASE_URL at another pglite:<dir> or at a PostgreSQL server.`,
      );
    }
    fs.rmSync(lockPath, { force: true });
  }
  throw new ConfigError(`Could not lock PGlite data directory ${directory} (${lockPath})`);
}
