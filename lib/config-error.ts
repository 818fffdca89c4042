/**
 * A configuration the app cannot run with (a bad or missing variable, a driver that does not fit
 * the URL, a PGlite directory another process holds). The server prints its message and exits.
 * Its own module, with no imports, so that lib/env.ts and lib/db/drivers.ts (which lib/env.ts
 * reads the driver names from) can both throw it without importing each other.
 */
export class ConfigError extends Error {
  override name = "ConfigError";
}
