// The default PushBus: hubs in one process. Alone (the default, one per hub) it carries nothing.
import type { BusMessage, PushBus, PushBusNode } from './push-bus';
import { PushError, PushErrorCode } from './push-error';

/**
 * Connects the hubs attached to it inside one process: a push published by one is handed to the others
 * in a microtask (as a network bus would, never inside the publisher's call). Every hub gets a fresh
 * one by default, so a single server pays nothing for the seam; share one between hubs to run several
 * servers in one process (tests, or a process listening on TCP and another transport).
 */
export class InProcessPushBus implements PushBus {
  private readonly nodes = new Map<string, PushBusNode>();

  get shared(): boolean {
    return this.nodes.size > 1;
  }

  attach(node: PushBusNode): void {
    if (this.nodes.has(node.nodeId))
      throw new PushError(PushErrorCode.NODE_ID_TAKEN, `a hub with nodeId ${JSON.stringify(node.nodeId)} is already attached to this bus; give every hub its own nodeId`);
    this.nodes.set(node.nodeId, node);
  }

  detach(node: PushBusNode): void {
    if (this.nodes.get(node.nodeId) === node) this.nodes.delete(node.nodeId);
  }

  publish(message: BusMessage): boolean {
    const target = message.target;
    const recipients = target.kind === 'connection' ? [this.nodes.get(target.nodeId)] : [...this.nodes.values()];
    queueMicrotask(() => {
      for (const node of recipients) if (node && node.nodeId !== message.origin && this.nodes.get(node.nodeId) === node) node.receive(message);
    });
    return true;
  }
}
