// The unary-call example of docs/protocol.md section 13 is the exact bytes framerpc sends and answers.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EchoReply, EchoRequest } from '../../generated/echo/echo';
import { encodeCallHeader } from '../../src/rpc/call-header';
import { encodeCallStatus } from '../../src/rpc/call-status';
import { Status } from '../../src/rpc/status';
import { encodeFrame } from '../../src/transport/shared-frame';
import { FrameFlag, FrameKind } from '../../src/codec/wire';

const PLAIN = { compressMinBytes: Infinity, compressionLevel: 1, xorKey: undefined };

/** The hex bytes of the n-th code block after `heading`, ignoring the annotations right of them. */
function exampleBytes(heading: string, n: number): Buffer {
  const doc = readFileSync(join(__dirname, '../../docs/protocol.md'), 'utf8');
  const section = doc.slice(doc.indexOf(heading));
  const block = section.split('```')[2 * n + 1];
  const hex = block
    .split('\n')
    .map((line) => line.split(/\s{3,}/)[0].trim())
    .filter((part) => /^([0-9a-f]{2}\s*)+$/.test(part))
    .join(' ');
  return Buffer.from(hex.replace(/\s+/g, ''), 'hex');
}

describe('docs/protocol.md unary call example', () => {
  const heading = 'Example: a unary call';

  it('shows the CALL frame framerpc sends', () => {
    const request = EchoRequest.encode({ text: 'hi' }).finish();
    const payload = encodeCallHeader(Buffer.from('/echo.v1.EchoService/Echo'), 0, undefined, request);
    expect(exampleBytes(heading, 0).toString('hex')).toBe(encodeFrame(FrameKind.CALL, FrameFlag.END_STREAM, 1, payload, PLAIN).toString('hex'));
  });

  it('shows the STATUS frame framerpc answers', () => {
    const reply = EchoReply.encode({ text: 'hi', servedBy: 1 }).finish();
    const payload = encodeCallStatus(Status.OK, '', '', undefined, reply);
    expect(exampleBytes(heading, 1).toString('hex')).toBe(encodeFrame(FrameKind.STATUS, FrameFlag.END_STREAM, 1, payload, PLAIN).toString('hex'));
  });
});
