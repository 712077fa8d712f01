// A BusMessage as bytes on a Redis channel: a small binary header (target, origin), then the PUSH payload as is.
//   u8 version (1) | u8 kind | u8 origin length | origin (ASCII node id)
//   kind ALL:        u8 except length | except (ASCII global id, may be empty)
//   kind ROOM:       u8 except length | except | u8 room length | room (UTF-8)
//   kind CONNECTION: u8 node length | node (ASCII) | u32 connection id (big-endian)
//   then the PUSH payload (u8 topic length, topic, protobuf message) to the end.
import type { BusMessage, BusTarget } from '../push-bus';

const VERSION = 1;
const Kind = { ALL: 1, ROOM: 2, CONNECTION: 3 } as const;

function shortString(value: string | undefined, encoding: 'latin1' | 'utf8'): Buffer {
  const bytes = value === undefined ? Buffer.alloc(0) : Buffer.from(value, encoding);
  if (bytes.length > 255) throw new RangeError(`a bus envelope field is at most 255 bytes, got ${bytes.length}`);
  return bytes;
}

/** The envelope of `message`: one allocation, the payload copied once behind the header. */
export function encodeEnvelope(message: BusMessage): Buffer {
  const target = message.target;
  const origin = shortString(message.origin, 'latin1');
  const parts: Buffer[] = [];
  let kind: number;
  if (target.kind === 'connection') {
    kind = Kind.CONNECTION;
    const id = Buffer.allocUnsafe(4);
    id.writeUInt32BE(target.connectionId, 0);
    parts.push(lengthPrefixed(shortString(target.nodeId, 'latin1')), id);
  } else {
    kind = target.kind === 'room' ? Kind.ROOM : Kind.ALL;
    parts.push(lengthPrefixed(shortString(target.except, 'latin1')));
    if (target.kind === 'room') parts.push(lengthPrefixed(shortString(target.room, 'utf8')));
  }
  return Buffer.concat([Buffer.from([VERSION, kind, origin.length]), origin, ...parts, message.payload]);
}

function lengthPrefixed(bytes: Buffer): Buffer {
  return Buffer.concat([Buffer.from([bytes.length]), bytes]);
}

/** Reads an envelope; undefined when it is not one (another version, cut off): the bus counts and skips it. */
export function decodeEnvelope(bytes: Buffer): BusMessage | undefined {
  let at = 0;
  const byte = (): number => (at < bytes.length ? bytes[at++] : -1);
  const text = (encoding: 'latin1' | 'utf8'): string | undefined => {
    const length = byte();
    if (length < 0 || at + length > bytes.length) return undefined;
    const value = bytes.toString(encoding, at, at + length);
    at += length;
    return value;
  };
  if (byte() !== VERSION) return undefined;
  const kind = byte();
  const origin = text('latin1');
  if (origin === undefined) return undefined;
  let target: BusTarget;
  if (kind === Kind.CONNECTION) {
    const nodeId = text('latin1');
    if (nodeId === undefined || at + 4 > bytes.length) return undefined;
    target = { kind: 'connection', nodeId, connectionId: bytes.readUInt32BE(at) };
    at += 4;
  } else if (kind === Kind.ALL || kind === Kind.ROOM) {
    const except = text('latin1');
    if (except === undefined) return undefined;
    if (kind === Kind.ROOM) {
      const room = text('utf8');
      if (room === undefined) return undefined;
      target = { kind: 'room', room, except: except || undefined };
    } else {
      target = { kind: 'all', except: except || undefined };
    }
  } else {
    return undefined;
  }
  if (at >= bytes.length) return undefined; // no payload
  return { origin, target, payload: bytes.subarray(at) };
}
