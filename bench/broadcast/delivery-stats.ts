// What the clients of one process received: a count and a bounded latency histogram (9M deliveries/s at M=3000).
import { LatencyHistogram } from '../report/latency';

/** Counts deliveries and records their latency; `now` is set once per socket read by the client that reads. */
export class DeliveryStats {
  delivered = 0;
  malformed = 0;
  /** The receive time (µs) of the chunk being parsed: one clock read per read, shared by its frames. */
  now = 0;
  readonly latency = new LatencyHistogram();

  /** One message sent at `stampMicros` arrived at `this.now`. */
  record(stampMicros: number): void {
    if (!(stampMicros > 0)) {
      this.malformed++;
      return;
    }
    this.delivered++;
    this.latency.record((this.now - stampMicros) / 1000);
  }

  reset(): void {
    this.delivered = 0;
    this.malformed = 0;
    this.latency.reset();
  }
}

/** One connected client of a broadcast cell. */
export interface BroadcastClient {
  /** Sends one text (fire and forget: the broadcast back is what is measured). */
  post(text: string): void;
  close(): void;
}

/** Opens one client of a kind; `onClosed` is called if its connection ends before `close()`. */
export type OpenClient = (port: number, stats: DeliveryStats, onClosed: () => void) => Promise<BroadcastClient>;
