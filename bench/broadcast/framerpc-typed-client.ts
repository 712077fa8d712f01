// The real typed framerpc client on a sample of a cell's connections: a Channel, createClient(ChatDefinition)
// for Chat.Post and subscribePush(ChatEventsDefinition) for the pushes, as an application would write it.
import { createChannel, createClient, subscribePush } from '../../src';
import { ChatDefinition, ChatEventsDefinition } from '../../generated/chat/chat';
import type { BroadcastClient, DeliveryStats } from './delivery-stats';
import { nowMicros, readStampOfText } from './payload';

/** Deliveries to the typed clients are recorded in `stats` (the cell's) and in `typed` (theirs alone). */
export async function openTypedFramerpcClient(port: number, stats: DeliveryStats, typed: DeliveryStats, onPostError: () => void): Promise<BroadcastClient> {
  const channel = createChannel({ host: '127.0.0.1', port });
  const events = subscribePush(ChatEventsDefinition, channel);
  events.messagePosted.on((message) => {
    const stamp = readStampOfText(message.text);
    stats.now = typed.now = nowMicros();
    stats.record(stamp);
    typed.record(stamp);
  });
  try {
    await channel.connect();
    await events.ready();
  } catch (error) {
    events.close();
    channel.close();
    throw error;
  }
  const chat = createClient(ChatDefinition, channel);
  return {
    post(text: string): void {
      chat.post({ room: '', text }).catch(onPostError);
    },
    close(): void {
      events.close();
      channel.close();
    },
  };
}
