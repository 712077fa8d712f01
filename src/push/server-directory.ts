// The default ConnectionDirectory of a hub: the RpcServer's connections, through its public API.
import type { RpcServer } from '../server/rpc-server';
import type { ConnectionDirectory } from './connection-directory';

/** The open connections of `server`, as a hub sees them. */
export function serverDirectory(server: RpcServer): ConnectionDirectory {
  return {
    get: (connectionId) => server.connection(connectionId),
    get maxOutboundBytes() {
      return server.maxOutboundBytes;
    },
    onClose(listener) {
      const onDisconnect = (connection: { readonly id: number }): void => listener(connection.id);
      server.on('disconnect', onDisconnect);
      return () => {
        server.off('disconnect', onDisconnect);
      };
    },
  };
}
