// The IPC messages between the bench process and a server child.

/** Child to parent. */
export type ChildMessage =
  | { readonly type: 'ready'; readonly port: number }
  | { readonly type: 'memory'; readonly rss: number; readonly heapUsed: number; readonly connections: number }
  | { readonly type: 'cpu'; readonly micros: number }
  | { readonly type: 'failed'; readonly reason: string };

/** Parent to child. */
export type ParentMessage = { readonly type: 'memory' } | { readonly type: 'cpu' } | { readonly type: 'stop' };
