// Opens received frames in order: small compressed payloads inflate at once, large ones on the thread pool while later frames wait.
import { ASYNC_INFLATE_BYTES, inflatePayload, inflatePayloadAsync, unsealPayload, type PayloadOpening } from '../../codec/payload-codec';

/** What the opener needs of its connection. */
export interface InboundHost {
  /** False once the connection stopped reading (closing, closed): held and inflating frames are dropped. */
  isReading(): boolean;
  /** Handles one opened frame (de-obfuscated, inflated), with `receivedAt` its arrival time. */
  openedFrame(kind: number, flags: number, streamId: number, payload: Buffer, receivedAt: number): void;
  /** Stop (true) or restart (false) reading from the peer while a large frame inflates. */
  holdReading(held: boolean): void;
  /** Closes the connection for an error thrown while opening or handling (a FrameError or our bug). */
  failWith(error: unknown): void;
}

interface HeldFrame {
  readonly kind: number;
  readonly flags: number;
  readonly streamId: number;
  readonly payload: Buffer;
  readonly receivedAt: number;
}

/**
 * De-obfuscates and inflates each received frame, keeping their order. A compressed payload of
 * ASYNC_INFLATE_BYTES or more inflates asynchronously so a 4 MiB frame does not hold the event loop:
 * meanwhile reading pauses, and frames already decoded from the same chunk are held, then opened in order.
 */
export class InboundOpener {
  private inflating = false;
  /** Frames decoded while one inflates; made by the first asynchronous inflate. */
  private held: HeldFrame[] | undefined;

  constructor(
    private readonly host: InboundHost,
    /** How payloads are opened (shared by the connections with the same options). */
    private readonly opening: PayloadOpening,
  ) {}

  /** A frame from the decoder, still obfuscated and compressed as sent. Throws FrameError on a violation. */
  receive(kind: number, flags: number, streamId: number, payload: Buffer, receivedAt: number): void {
    if (this.inflating) {
      (this.held ??= []).push({ kind, flags, streamId, payload, receivedAt });
      return;
    }
    this.open(kind, flags, streamId, payload, receivedAt);
  }

  private open(kind: number, flags: number, streamId: number, payload: Buffer, receivedAt: number): void {
    const opening = this.opening;
    if (unsealPayload(flags, payload, opening)) {
      if (payload.length >= ASYNC_INFLATE_BYTES) {
        this.inflateLater(kind, flags, streamId, payload, receivedAt);
        return;
      }
      payload = inflatePayload(streamId, payload, opening) as Buffer; // the Node compressor inflates to Buffers
    }
    this.host.openedFrame(kind, flags, streamId, payload, receivedAt);
  }

  private inflateLater(kind: number, flags: number, streamId: number, payload: Buffer, receivedAt: number): void {
    this.inflating = true;
    this.host.holdReading(true);
    inflatePayloadAsync(streamId, payload, this.opening).then(
      (opened) => {
        this.inflating = false;
        if (!this.host.isReading()) return;
        try {
          this.host.openedFrame(kind, flags, streamId, opened as Buffer, receivedAt);
          while (!this.inflating && this.held !== undefined && this.held.length > 0 && this.host.isReading()) {
            const next = this.held.shift() as HeldFrame;
            this.open(next.kind, next.flags, next.streamId, next.payload, next.receivedAt);
          }
        } catch (error) {
          this.host.failWith(error);
          return;
        }
        if (!this.inflating) this.host.holdReading(false);
      },
      (error: unknown) => {
        this.inflating = false;
        this.held = undefined;
        if (this.host.isReading()) this.host.failWith(error);
      },
    );
  }
}
