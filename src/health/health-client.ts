// Client helpers for grpc.health.v1: check a server's (or a service's) health once, or watch it change.
import { HealthDefinition } from '../../generated/grpc/health/v1/health';
import type { CallOptions } from '../client/call-options';
import type { Channel } from '../client/channel';
import { createClient } from '../client/create-client';
import type { ServingStatus } from './health-service';

/**
 * The serving status of `service` ("" = the server as a whole). Rejects with NOT_FOUND for a service the
 * server has no status for, and with the call's error (UNAVAILABLE, DEADLINE_EXCEEDED, ...) otherwise.
 * Set a timeout: a server that does not answer in time should count as unhealthy.
 */
export async function checkHealth(channel: Channel, service = '', options?: CallOptions): Promise<ServingStatus> {
  const reply = await createClient(HealthDefinition, channel).check({ service }, options);
  return reply.status;
}

/**
 * The serving status of `service` now and at each change (SERVICE_UNKNOWN while the server has none).
 * The stream ends when the server ends it (as it does on shutdown); breaking out of it cancels the call.
 */
export async function* watchHealth(channel: Channel, service = '', options?: CallOptions): AsyncIterable<ServingStatus> {
  for await (const reply of createClient(HealthDefinition, channel).watch({ service }, options)) yield reply.status;
}
