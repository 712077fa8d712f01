// Who a chat user is, sent with every call: shared by the Node chat client and the web page (imports nothing Node-only).
import type { ClientInterceptor } from '../../src/client/client-interceptor';

/** A client interceptor adding "user" and "role" metadata to every call (PushControl joins included). */
export function chatIdentity(name: string, role = 'member'): ClientInterceptor {
  return (call, next) => {
    call.metadata.set('user', name).set('role', role);
    return next();
  };
}
