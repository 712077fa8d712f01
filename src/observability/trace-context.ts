// W3C trace context (https://www.w3.org/TR/trace-context/) in call metadata: the traceparent and tracestate keys.

/** The metadata keys, as HTTP headers name them (lowercase, as metadata keys are). */
export const TRACEPARENT = 'traceparent';
export const TRACESTATE = 'tracestate';

/** What a traceparent carries. */
export interface TraceParent {
  readonly traceId: string;
  readonly spanId: string;
  readonly traceFlags: number;
}

const TRACEPARENT_FORMAT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;
const INVALID_TRACE_ID = '0'.repeat(32);
const INVALID_SPAN_ID = '0'.repeat(16);

/** "00-<trace id>-<span id>-<flags>", version 00. */
export function formatTraceparent(parent: TraceParent): string {
  return `00-${parent.traceId}-${parent.spanId}-${(parent.traceFlags & 0xff).toString(16).padStart(2, '0')}`;
}

/**
 * Parses a traceparent value; undefined when it is malformed, has the all-zero ids the spec forbids, or is version
 * ff. Later versions are read as version 00 (the spec asks receivers to), ignoring anything after the flags.
 */
export function parseTraceparent(value: string | Uint8Array | undefined): TraceParent | undefined {
  if (typeof value !== 'string') return undefined;
  const match = TRACEPARENT_FORMAT.exec(value.trim());
  if (!match) return undefined;
  const [, version, traceId, spanId, flags, rest] = match;
  if (version === 'ff' || (version === '00' && rest !== undefined)) return undefined;
  if (traceId === INVALID_TRACE_ID || spanId === INVALID_SPAN_ID) return undefined;
  return { traceId, spanId, traceFlags: parseInt(flags, 16) };
}
