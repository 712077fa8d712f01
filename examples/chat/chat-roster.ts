// Who is who: the user name each connection gave when it joined a room (from its "user" metadata).
import { injectable } from 'tsyringe';

/** Connection id -> user name, filled from the hub's 'join' events; one per server (registered as a singleton in its scope). */
@injectable()
export class ChatRoster {
  private readonly names = new Map<number, string>();

  set(connectionId: number, name: string): void {
    this.names.set(connectionId, name);
  }

  nameOf(connectionId: number): string {
    return this.names.get(connectionId) ?? `connection ${connectionId}`;
  }

  forget(connectionId: number): void {
    this.names.delete(connectionId);
  }
}
