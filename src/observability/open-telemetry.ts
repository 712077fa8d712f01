// Loads @opentelemetry/api (an optional peer dependency) only when tracing is asked for.
import type * as OpenTelemetryApi from '@opentelemetry/api';
import { ErrorCode, FramerpcError } from '../errors';

export type OpenTelemetry = typeof OpenTelemetryApi;

let loaded: OpenTelemetry | undefined;

/** @internal The @opentelemetry/api module; throws saying what to install when it is missing. */
export function openTelemetry(): OpenTelemetry {
  if (!loaded) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      loaded = require('@opentelemetry/api') as OpenTelemetry;
    } catch (error) {
      throw new FramerpcError(ErrorCode.MISSING_PEER_DEPENDENCY, 'framerpc tracing needs @opentelemetry/api: npm install @opentelemetry/api (and an OpenTelemetry SDK to export spans)', {
        cause: error,
      });
    }
  }
  return loaded;
}
