// Runs every conformance vector (vectors/*.json, format in vectors/README.md): frame vectors against the real
// NodeFrameDecoder, handshake and call vectors against a real server on 127.0.0.1 port 0 over a real socket.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { decodeCallStatus } from '../../src/rpc/call-status';
import { statusName } from '../../src/rpc/status';
import { CloseCode, NodeFrameDecoder, FrameError, FrameKind, FrameServer, decodeGoaway, decodePreface } from '../../src/transport';
import { startConformanceServer } from './conformance-server';
import { buildVectors, vectorFileText } from './generate-vectors';
import type { CallCase, CloseSpec, ExpectedFrame, FrameCase, FrameSpec, HandshakeCase, ServerConfig, VectorFile } from './vector-format';
import { VectorPeer, type ReceivedFrame } from './vector-peer';

const DIR = join(__dirname, 'vectors');
const files = readdirSync(DIR)
  .filter((name) => name.endsWith('.json'))
  .sort();
const loaded = files.map((name) => ({ name, file: JSON.parse(readFileSync(join(DIR, name), 'utf8')) as VectorFile }));
const frameCases: FrameCase[] = loaded.flatMap(({ file }) => (file.kind === 'frames' ? file.cases : []));
const handshakeCases: HandshakeCase[] = loaded.flatMap(({ file }) => (file.kind === 'handshake' ? file.cases : []));
const callCases: CallCase[] = loaded.flatMap(({ file }) => (file.kind === 'calls' ? file.cases : []));

const closeNames = new Map<number, string>(Object.entries(CloseCode).map(([name, code]) => [code, name]));
const kindNames = new Map<number, string>(Object.entries(FrameKind).map(([name, kind]) => [kind, name]));

function checkClose(where: string, code: number, reason: string, wanted: CloseSpec): void {
  if (code !== wanted.code || closeNames.get(code) !== wanted.name || !reason.includes(wanted.reasonContains)) {
    throw new Error(
      `${where}: expected close ${wanted.name} (${wanted.code}) with a reason containing ${JSON.stringify(wanted.reasonContains)}, got ${closeNames.get(code) ?? code} ${JSON.stringify(reason)}`,
    );
  }
}

describe('the vector files', () => {
  it('are what generate-vectors.ts writes (after a wire change: npm run gen:vectors)', () => {
    const built = buildVectors();
    expect(files).toEqual(Object.keys(built).sort());
    for (const [name, file] of Object.entries(built)) expect(readFileSync(join(DIR, name), 'utf8')).toBe(vectorFileText(file));
  });

  it('hold enough cases of each kind, with unique names', () => {
    for (const cases of [frameCases, handshakeCases, callCases]) {
      const names = cases.map((c) => c.name);
      expect(names.length).toBeGreaterThanOrEqual(10);
      expect(new Set(names).size).toBe(names.length);
    }
  });
});

// ---------------------------------------------------------------------------------------------- frames

function decodeFrames(c: FrameCase, chunks: Buffer[]): { frames: FrameSpec[]; close?: { code: number; reason: string }; incomplete: boolean } {
  const frames: FrameSpec[] = [];
  const decoder = new NodeFrameDecoder(c.maxFrameBytes, {
    onFrame: (kind, flags, streamId, payload) => frames.push({ kind, kindName: kindNames.get(kind) ?? '?', flags, streamId, payloadHex: payload.toString('hex') }),
  });
  for (const chunk of chunks) {
    try {
      decoder.push(chunk);
    } catch (error) {
      if (!(error instanceof FrameError)) throw error;
      return { frames, close: { code: error.closeCode, reason: error.message }, incomplete: false };
    }
  }
  return { frames, incomplete: decoder.midFrame };
}

describe('frame vectors', () => {
  it.each(frameCases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const input = Buffer.from(c.inputHex, 'hex');
    // Whole, one byte at a time, and cut in two at every point: the outcome must not depend on the chunking.
    const chunkings = [[input], [...input].map((byte) => Buffer.from([byte]))];
    for (let cut = 1; cut < input.length; cut++) chunkings.push([input.subarray(0, cut), input.subarray(cut)]);
    for (const chunks of chunkings) {
      const result = decodeFrames(c, chunks);
      expect(result.frames).toEqual(c.expect.frames);
      expect(result.incomplete).toBe(c.expect.incomplete);
      if (c.expect.close) {
        expect(result.close).toBeDefined();
        checkClose(c.name, result.close!.code, result.close!.reason, c.expect.close);
      } else {
        expect(result.close).toBeUndefined();
      }
    }
  });
});

// ------------------------------------------------------------------------------------------- handshake

function transportOptions(config: ServerConfig): ConstructorParameters<typeof FrameServer>[0] {
  return {
    compression: config.compression ?? true,
    xorKey: config.xorKeyHex === undefined ? undefined : Buffer.from(config.xorKeyHex, 'hex'),
    maxFrameBytes: config.maxFrameBytes,
    handshakeTimeoutMs: config.handshakeTimeoutMs,
  };
}

describe('handshake vectors', () => {
  it.each(handshakeCases.map((c) => [c.name, c] as const))('%s', async (_name, c: HandshakeCase) => {
    const server = new FrameServer(transportOptions(c.server));
    server.on('connection', (connection) => connection.start({ onFrame: () => undefined }));
    const { port } = await server.listen(0);
    const peer = await VectorPeer.connect(port, Buffer.from(c.clientSendsHex, 'hex'));
    try {
      const answer = await peer.until(() => peer.preface ?? peer.frames[0], 'the server preface or a refusal');
      if ('accepted' in c.expect) {
        expect(answer).toBeInstanceOf(Buffer);
        const preface = decodePreface(answer as Buffer);
        expect({ version: preface.version, features: preface.features, keyCheck: preface.keyCheck }).toEqual(c.expect.accepted);
      } else {
        expect(peer.preface).toBeUndefined();
        const refusal = answer as ReceivedFrame;
        expect([refusal.kind, refusal.flags, refusal.streamId]).toEqual([FrameKind.GOAWAY, 0, 0]);
        const { code, reason } = decodeGoaway(refusal.payload);
        checkClose(c.name, code, reason, c.expect.refused);
        // A refusal is one GOAWAY, then the server's FIN.
        await peer.until(() => (peer.ended || peer.closed ? true : undefined), 'the server to close after refusing');
        expect(peer.frames).toHaveLength(1);
      }
    } finally {
      await peer.destroy();
      await server.close(0);
    }
  });
});

// ----------------------------------------------------------------------------------------------- calls

function matches(frame: ReceivedFrame, wanted: ExpectedFrame): string | undefined {
  if (frame.kind !== wanted.kind) return `kind ${frame.kind}`;
  if (kindNames.get(frame.kind) !== wanted.kindName) return `kind name ${kindNames.get(frame.kind)}`;
  if (wanted.flags !== undefined && frame.flags !== wanted.flags) return `flags ${frame.flags}`;
  if (wanted.payloadHex !== undefined && frame.payload.toString('hex') !== wanted.payloadHex) return `payload ${frame.payload.toString('hex')}`;
  if (wanted.status) {
    const s = decodeCallStatus(frame.payload);
    const text = `status ${statusName(s.code)} ${JSON.stringify(s.text)} message ${s.message?.toString('hex')}`;
    if (s.code !== wanted.status.code || statusName(s.code) !== wanted.status.name) return text;
    if (wanted.status.textContains !== undefined && !s.text.includes(wanted.status.textContains)) return text;
    if (wanted.status.messageHex !== undefined && s.message?.toString('hex') !== wanted.status.messageHex) return text;
    if (wanted.status.messagePrefixHex !== undefined && !s.message?.toString('hex').startsWith(wanted.status.messagePrefixHex)) return text;
    if (wanted.status.noMessage && s.message !== undefined) return text;
  }
  return undefined;
}

/** Reads frames from `cursor` until every expected frame arrived (in order per stream id); anything else fails. */
async function expectFrames(peer: VectorPeer, cursor: number, expected: ExpectedFrame[], where: string): Promise<number> {
  const queues = new Map<number, ExpectedFrame[]>();
  let left = 0;
  for (const wanted of expected) {
    const queue = queues.get(wanted.streamId) ?? [];
    for (let i = 0; i < (wanted.repeat ?? 1); i++) queue.push(wanted);
    queues.set(wanted.streamId, queue);
    left += wanted.repeat ?? 1;
  }
  while (left > 0) {
    const at = cursor;
    const frame = await peer.until(() => peer.frames[at], `${left} more expected frame(s) (${where})`);
    cursor++;
    if (frame.kind === FrameKind.PING && !expected.some((e) => e.kind === FrameKind.PING)) {
      peer.pong(frame); // the server's heartbeat is not part of any vector
      continue;
    }
    const wanted = queues.get(frame.streamId)?.shift();
    if (!wanted) throw new Error(`${where}: unexpected frame kind ${frame.kind} on stream ${frame.streamId}: ${frame.payload.toString('hex')}`);
    const problem = matches(frame, wanted);
    if (problem) throw new Error(`${where}: expected ${JSON.stringify(wanted)}, got ${problem}`);
    left--;
  }
  return cursor;
}

async function runCallCase(c: CallCase): Promise<void> {
  const { server, port } = await startConformanceServer(c.server);
  const key = c.xorKeyHex === undefined ? undefined : Buffer.from(c.xorKeyHex, 'hex');
  const peer = await VectorPeer.connect(port, Buffer.from(c.clientPrefaceHex, 'hex'), key);
  try {
    await peer.until(() => peer.preface ?? (peer.frames.length > 0 || peer.closed ? null : undefined), 'the server preface');
    if (!peer.preface) throw new Error(`${c.name}: the handshake was refused: ${peer.frames.map((f) => f.payload.toString('hex'))}`);
    let cursor = 0;
    for (const [index, step] of c.steps.entries()) {
      const where = `${c.name}, step ${index + 1}`;
      if ('send' in step) peer.write(Buffer.from(step.send, 'hex'));
      else if ('halfClose' in step) peer.end();
      else if ('expect' in step) cursor = await expectFrames(peer, cursor, step.expect, where);
      else if ('expectClose' in step) {
        const at = cursor;
        const frame = await peer.until(() => peer.frames[at], `the server's GOAWAY (${where})`);
        if (frame.kind !== FrameKind.GOAWAY) throw new Error(`${where}: expected GOAWAY, got kind ${frame.kind} on stream ${frame.streamId}`);
        const { code, reason } = decodeGoaway(frame.payload);
        checkClose(where, code, reason, step.expectClose);
        cursor++;
        await peer.until(() => (peer.ended || peer.closed ? true : undefined), `the server to close after its GOAWAY (${where})`);
      } else {
        await peer.until(() => (peer.ended || peer.closed ? true : undefined), `the server to close (${where})`);
      }
    }
    // Nothing arrived beyond what the steps expected (a case ending in a PING/PONG shows the server sent nothing more).
    expect(peer.frames.slice(cursor).filter((f) => f.kind !== FrameKind.PING)).toEqual([]);
  } finally {
    await peer.destroy();
    await server.close(0);
  }
}

describe('call vectors', () => {
  it.each(callCases.map((c) => [c.name, c] as const))('%s', (_name, c) => runCallCase(c));
});
