// Property: a message cut into MORE fragments at any points is joined back exactly; past the limit it fails
// as soon as the fragments pass it, holding no more than the limit.
import * as fc from 'fast-check';
import { MessageAssembler, TOO_LARGE } from '../../src/rpc/message-assembler';

function cut(message: Buffer, points: number[]): Buffer[] {
  const at = [...new Set(points.map((p) => p % (message.length + 1)))].sort((a, b) => a - b);
  const pieces: Buffer[] = [];
  let start = 0;
  for (const p of at) {
    pieces.push(message.subarray(start, p));
    start = p;
  }
  pieces.push(message.subarray(start));
  return pieces;
}

describe('MessageAssembler property', () => {
  it('joins any fragmentation back into the message, and holds nothing afterwards', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 4096 }), fc.array(fc.nat(), { maxLength: 12 }), (bytes, points) => {
        const message = Buffer.from(bytes);
        const pieces = cut(message, points);
        const assembler = new MessageAssembler();
        for (let i = 0; i < pieces.length - 1; i++) expect(assembler.add(pieces[i], true, 1 << 20)).toBeUndefined();
        const whole = assembler.add(pieces[pieces.length - 1], false, 1 << 20);
        expect(Buffer.isBuffer(whole) && whole.equals(message)).toBe(true);
        expect(assembler.heldBytes).toBe(0);
        expect(assembler.inProgress).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });

  it('reports TOO_LARGE on the fragment that passes the limit, never holding more than the limit', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 4096 }), fc.array(fc.nat(), { maxLength: 12 }), fc.nat({ max: 4095 }), (bytes, points, limit) => {
        const message = Buffer.from(bytes);
        const pieces = cut(message, points);
        const assembler = new MessageAssembler();
        let result: ReturnType<MessageAssembler['add']> = undefined;
        for (let i = 0; i < pieces.length; i++) {
          result = assembler.add(pieces[i], i < pieces.length - 1, limit);
          expect(assembler.heldBytes).toBeLessThanOrEqual(limit);
          if (result === TOO_LARGE) break;
        }
        if (message.length > limit) expect(result).toBe(TOO_LARGE);
        else expect(Buffer.isBuffer(result) && result.equals(message)).toBe(true);
        expect(assembler.heldBytes).toBe(0);
      }),
      { numRuns: 2000 },
    );
  });
});
