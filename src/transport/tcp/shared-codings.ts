// How a server's connections encode and open payloads, made once per options object and shared by every connection.
import type { PayloadEncoding, PayloadOpening } from '../../codec/payload-codec';
import { zlibCompressor } from '../node/zlib-compressor';
import type { TransportOptions } from '../transport-options';
import { Feature } from '../../codec/wire';
import { negotiatedEncoding } from './frame-writer';

interface Codings {
  readonly opening: PayloadOpening;
  /** By whether the peer accepts compression: [no, yes]. */
  readonly encodings: readonly [PayloadEncoding, PayloadEncoding];
}

// Keyed by the resolved options (one per server or client): an object per connection would cost ~100 bytes each.
const byOptions = new WeakMap<TransportOptions, Codings>();

function codingsFor(options: TransportOptions): Codings {
  let codings = byOptions.get(options);
  if (!codings) {
    codings = {
      opening: { xorKey: options.xorKey, acceptsCompressed: options.compression, maxBytes: options.maxFrameBytes, compressor: zlibCompressor },
      encodings: [negotiatedEncoding(options, 0, zlibCompressor), negotiatedEncoding(options, Feature.COMPRESSION, zlibCompressor)],
    };
    byOptions.set(options, codings);
  }
  return codings;
}

/** How this side opens received payloads under `options` (shared: never changed). */
export function openingFor(options: TransportOptions): PayloadOpening {
  return codingsFor(options).opening;
}

/** How this side encodes for a peer whose preface had `peerFeatures` (shared: never changed). */
export function encodingFor(options: TransportOptions, peerFeatures: number): PayloadEncoding {
  return codingsFor(options).encodings[peerFeatures & Feature.COMPRESSION ? 1 : 0];
}
