// Failed calls of one cell: how many, what the first one said (status and message), and the distinct kinds.
import { statusName } from '../../src/rpc/status';

// Distinct descriptions kept per cell; past it, further kinds are counted as "other".
const MAX_KINDS = 4;

/** Counts failures; keeps the first one's description and a bounded count per distinct description. */
export class CallFailures {
  private failures = 0;
  private firstDescription: string | undefined;
  private readonly kinds = new Map<string, number>();
  private otherKinds = 0;

  get count(): number {
    return this.failures;
  }

  /** "UNAVAILABLE: ..." for the first failure, undefined when none. */
  get first(): string | undefined {
    return this.firstDescription;
  }

  /** The distinct descriptions, most frequent first, with "(other)" for those past the bound. */
  byKind(): [description: string, count: number][] {
    const kinds = [...this.kinds].sort((a, b) => b[1] - a[1]);
    return this.otherKinds > 0 ? [...kinds, ['(other)', this.otherKinds]] : kinds;
  }

  /** For BENCH_JSON: the counts, not the class's internals. */
  toJSON(): { count: number; first: string | undefined; byKind: [string, number][] } {
    return { count: this.failures, first: this.firstDescription, byKind: this.byKind() };
  }

  add(error: unknown): void {
    this.addDescribed(describeFailure(error), 1);
  }

  /** Adds another tally's failures (its first stays first only if this one had none). */
  merge(other: CallFailures): void {
    for (const [description, count] of other.kinds) this.addDescribed(description, count, other.firstDescription);
    this.failures += other.otherKinds;
    this.otherKinds += other.otherKinds;
  }

  private addDescribed(description: string, count: number, first = description): void {
    this.failures += count;
    this.firstDescription ??= first;
    if (this.kinds.has(description) || this.kinds.size < MAX_KINDS) this.kinds.set(description, (this.kinds.get(description) ?? 0) + count);
    else this.otherKinds += count;
  }
}

/**
 * The status name and message of a failed call. framerpc's RpcError and grpc-js's ServiceError both
 * carry a numeric gRPC `code` (and both name it in their message); anything else (a bench check, a
 * stalled cell) has just a message.
 */
export function describeFailure(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  const message = error.message.replace(/\s+/g, ' ').trim();
  if (typeof code !== 'number') return message;
  const name = statusName(code);
  return message.includes(name) ? message : `${name}: ${message}`;
}
