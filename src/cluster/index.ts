// Worker processes: one server per core on ports of their own, with rolling restarts.
export { WorkerPool, type WorkerPoolOptions, type WorkerPoolEvents, type WorkerInfo } from './worker-pool';
export { serveWorker, type ServeWorkerOptions } from './serve-worker';
