// The client-call call-logic tests again, over the in-memory transport: the same frames without sockets (fast, deterministic).
import { useTransport } from '../rpc/harness';

useTransport('memory');
// eslint-disable-next-line @typescript-eslint/no-require-imports
require('./client-call.test');
