// Which named constraint a failed statement violated. Drivers wrap the server's error
// differently (drizzle puts the driver's error in `cause`), so the cause chain is walked.
export function violates(error: unknown, constraint: string): boolean {
  for (let current = error, depth = 0; current && typeof current === "object" && depth < 8; depth++) {
    const fields = current as { code?: unknown; constraint?: unknown; cause?: unknown };
    if (typeof fields.code === "string" && fields.code.startsWith("23") && fields.constraint === constraint) return true;
    current = fields.cause;
  }
  return false;
}

/** Runs a write; a violation of the named constraint becomes the given error instead. */
export async function translating<T>(write: Promise<T>, constraint: string, error: () => Error): Promise<T> {
  try {
    return await write;
  } catch (caught) {
    throw violates(caught, constraint) ? error() : caught;
  }
}
