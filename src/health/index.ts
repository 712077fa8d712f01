// Health checking (grpc.health.v1): the server-side service and the client helpers.
export { HealthService, ServingStatus, addHealthService, servingStatusName, type HealthServiceOptions } from './health-service';
export { checkHealth, watchHealth } from './health-client';
export { HealthDefinition } from '../../generated/grpc/health/v1/health';
