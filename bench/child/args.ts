// `name=value` arguments handed to a server child by the bench process.

/** The numeric argument `name=...` of this process, or `fallback` when absent. */
export function numberArg(name: string, fallback: number): number {
  const raw = stringArg(name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value)) throw new TypeError(`argument ${name} must be a number, got ${JSON.stringify(raw)}`);
  return value;
}

/** The argument `name=...` of this process, or undefined. */
export function stringArg(name: string): string | undefined {
  const prefix = `${name}=`;
  return process.argv
    .slice(2)
    .find((arg) => arg.startsWith(prefix))
    ?.slice(prefix.length);
}
