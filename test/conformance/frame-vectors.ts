// The frame vectors (vectors/frames.json): bytes for a frame decoder, the frames or the violation expected.
import { encodeGoaway } from '../../src/transport';
import { CloseCode, FRAME_HEADER_BYTES, FrameKind, KNOWN_FLAGS, PROTOCOL_VERSION } from '../../src/codec/wire';
import { DEFAULT_MAX_FRAME_BYTES, UNKNOWN_FLAG, close, hex, rawFrame, spec } from './vector-bytes';
import type { CloseSpec, FrameCase, FrameSpec } from './vector-format';

/** The cases of frames.json: valid streams, streams cut short, and each header violation of section 4. */
export function frameCases(): FrameCase[] {
  const cases: FrameCase[] = [];
  const ok = (name: string, description: string, input: Buffer, frames: FrameSpec[], incomplete = false, maxFrameBytes = DEFAULT_MAX_FRAME_BYTES): void => {
    cases.push({ name, description, maxFrameBytes, inputHex: hex(input), expect: { frames, incomplete } });
  };
  const bad = (name: string, description: string, input: Buffer, frames: FrameSpec[], failure: CloseSpec, maxFrameBytes = DEFAULT_MAX_FRAME_BYTES): void => {
    cases.push({ name, description, maxFrameBytes, inputHex: hex(input), expect: { frames, close: failure, incomplete: false } });
  };
  const hi = Buffer.from('hi');
  const ping = Buffer.from([0, 1, 2, 3, 4, 5, 6, 7]);
  const bye = encodeGoaway(CloseCode.NORMAL, 'bye');

  ok('empty input', 'No bytes: no frames, nothing pending.', Buffer.alloc(0), []);
  ok('DATA "hi" on stream 7', 'docs/protocol.md section 11.', rawFrame(FrameKind.DATA, 0, 7, hi), [spec(FrameKind.DATA, 0, 7, hi)]);
  ok('PING then PONG', 'docs/protocol.md section 11: the decoder passes control frames up unchecked.', Buffer.concat([rawFrame(FrameKind.PING, 0, 0, ping), rawFrame(FrameKind.PONG, 0, 0, ping)]), [
    spec(FrameKind.PING, 0, 0, ping),
    spec(FrameKind.PONG, 0, 0, ping),
  ]);
  ok('GOAWAY NORMAL "bye"', 'docs/protocol.md section 11.', rawFrame(FrameKind.GOAWAY, 0, 0, bye), [spec(FrameKind.GOAWAY, 0, 0, bye)]);
  ok('zero-length frame', 'A header with length 0 is a whole frame.', rawFrame(FrameKind.HALF_CLOSE, 0, 3), [spec(FrameKind.HALF_CLOSE, 0, 3)]);
  const every = Object.values(FrameKind).map((kind, i) => rawFrame(kind, 0, i, Buffer.from([i])));
  ok(
    'every defined kind',
    'One frame of each kind the protocol defines, back to back.',
    Buffer.concat(every),
    Object.values(FrameKind).map((kind, i) => spec(kind, 0, i, Buffer.from([i]))),
  );
  ok('all defined flags', 'Every defined flag bit at once; the decoder hands flags up as received.', rawFrame(FrameKind.MESSAGE, KNOWN_FLAGS, 1, hi), [spec(FrameKind.MESSAGE, KNOWN_FLAGS, 1, hi)]);
  ok('largest stream id', 'Stream ids are full u32.', rawFrame(FrameKind.DATA, 0, 0xffff_ffff, hi), [spec(FrameKind.DATA, 0, 0xffff_ffff, hi)]);
  ok('header cut short', 'Five bytes of a header: nothing yet, more needed.', rawFrame(FrameKind.DATA, 0, 7, hi).subarray(0, 5), [], true);
  ok('payload cut short', 'A whole header and half its payload: more needed.', rawFrame(FrameKind.DATA, 0, 7, Buffer.from('hello')).subarray(0, FRAME_HEADER_BYTES + 2), [], true);
  ok(
    'a frame, then the start of the next',
    'The complete frame is handed out; the rest waits.',
    Buffer.concat([rawFrame(FrameKind.DATA, 0, 1, hi), rawFrame(FrameKind.DATA, 0, 2, hi).subarray(0, 3)]),
    [spec(FrameKind.DATA, 0, 1, hi)],
    true,
  );
  ok('payload exactly maxFrameBytes', 'The limit itself is allowed.', rawFrame(FrameKind.DATA, 0, 1, Buffer.alloc(16, 0x61)), [spec(FrameKind.DATA, 0, 1, Buffer.alloc(16, 0x61))], false, 16);

  bad(
    'payload one over maxFrameBytes',
    'Checked on the header alone, before any payload arrives.',
    rawFrame(FrameKind.DATA, 0, 1, Buffer.alloc(0), 17),
    [],
    close(CloseCode.FRAME_TOO_LARGE, 'exceeds maxFrameBytes'),
    16,
  );
  bad(
    'header claiming 4 GiB',
    'Length 0xffffffff under the default limit: refused at once, nothing allocated.',
    rawFrame(FrameKind.DATA, 0, 1, Buffer.alloc(0), 0xffff_ffff),
    [],
    close(CloseCode.FRAME_TOO_LARGE, 'exceeds maxFrameBytes'),
  );
  for (const kind of [0x00, 0x05, 0x0f, 0x17, 0x21, 0xff]) {
    bad(
      `unknown kind 0x${kind.toString(16).padStart(2, '0')}`,
      'Every kind number not in section 5 is a protocol error.',
      rawFrame(kind, 0, 1, hi),
      [],
      close(CloseCode.PROTOCOL_ERROR, `unknown frame kind 0x${kind.toString(16).padStart(2, '0')}`),
    );
  }
  bad(
    'unknown flag bit',
    `Flag 0b${UNKNOWN_FLAG.toString(2).padStart(8, '0')} is not defined in protocol version ${PROTOCOL_VERSION}.`,
    rawFrame(FrameKind.DATA, UNKNOWN_FLAG, 1, hi),
    [],
    close(CloseCode.PROTOCOL_ERROR, 'unknown flag bits'),
  );
  bad('high flag bit', 'Flag 0x80 is not defined.', rawFrame(FrameKind.CALL, 0x80, 1, hi), [], close(CloseCode.PROTOCOL_ERROR, 'unknown flag bits'));
  bad(
    'valid frame, then an unknown kind',
    'Frames before the violation are handed out; nothing after it.',
    Buffer.concat([rawFrame(FrameKind.DATA, 0, 1, hi), rawFrame(0x30, 0, 1, hi), rawFrame(FrameKind.DATA, 0, 2, hi)]),
    [spec(FrameKind.DATA, 0, 1, hi)],
    close(CloseCode.PROTOCOL_ERROR, 'unknown frame kind 0x30'),
  );
  bad(
    'too large and unknown kind',
    'The length is checked first (section 4, step 1).',
    rawFrame(0x05, 0, 1, Buffer.alloc(0), 1000),
    [],
    close(CloseCode.FRAME_TOO_LARGE, 'exceeds maxFrameBytes'),
    100,
  );
  bad('unknown kind and unknown flag', 'The kind is checked before the flags (section 4, steps 2 and 3).', rawFrame(0x05, 0x80, 1, hi), [], close(CloseCode.PROTOCOL_ERROR, 'unknown frame kind 0x05'));
  bad(
    'violation with its payload missing',
    'An unknown kind fails on the header; the payload need not arrive.',
    rawFrame(0x06, 0, 1, Buffer.alloc(0), 50),
    [],
    close(CloseCode.PROTOCOL_ERROR, 'unknown frame kind 0x06'),
  );
  return cases;
}
