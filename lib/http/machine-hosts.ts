import os from "node:os";

/**
 * The hostnames this machine answers to besides `localhost`: loopback and every interface
 * address a browser can name (IPv6 in brackets, as in a URL; link-local IPv6 needs a zone id in
 * a URL, so it is left out, as Next leaves it out of the "Network" address it prints). Read
 * when called, so a new interface address counts after a restart.
 */
export function machineHosts(): string[] {
  const hosts = new Set(["127.0.0.1", "[::1]"]);
  for (const addresses of Object.values(os.networkInterfaces())) {
    for (const { family, address, scopeid } of addresses ?? []) {
      if (family === "IPv4") hosts.add(address);
      else if (family === "IPv6" && !scopeid) hosts.add(`[${address.toLowerCase()}]`);
    }
  }
  return [...hosts];
}
