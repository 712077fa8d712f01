// The "framerpc/testing" entry: helpers for users' own tests of their handlers.
export { createTestClient, type TestClient, type TestClientOptions } from './create-test-client';
