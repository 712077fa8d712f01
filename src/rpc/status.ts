// gRPC's 17 status codes, used unchanged on both sides of every call: there are no user-defined codes.

export const Status = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  DATA_LOSS: 15,
  UNAUTHENTICATED: 16,
} as const;
export type Status = (typeof Status)[keyof typeof Status];

const names = Object.fromEntries(Object.entries(Status).map(([name, code]) => [code, name])) as Record<number, string>;

/** The name of a status code ("NOT_FOUND"), or "CODE_<n>" for a number outside the set. */
export function statusName(code: number): string {
  return names[code] ?? `CODE_${code}`;
}

/** True for the 17 defined codes. */
export function isStatus(code: number): code is Status {
  return names[code] !== undefined;
}
