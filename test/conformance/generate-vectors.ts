// Builds the conformance vectors (vectors/*.json) with the project's own encoders, so that a change of the
// wire format is one regeneration away: `npm run gen:vectors` (vectors/README.md, "Regenerating").
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROTOCOL_VERSION } from '../../src/codec/wire';
import { callCases } from './call-vectors';
import { frameCases } from './frame-vectors';
import { handshakeCases } from './handshake-vectors';
import type { CallVectorFile, FrameVectorFile, HandshakeVectorFile, VectorFile } from './vector-format';

/** Where the files live, relative to the repository root (the generator runs from there). */
export const VECTORS_DIR = join('test', 'conformance', 'vectors');

function header<K extends VectorFile['kind']>(kind: K, description: string): { format: 'framerpc-conformance'; formatVersion: 1; protocolVersion: number; kind: K; description: string } {
  return { format: 'framerpc-conformance', formatVersion: 1, protocolVersion: PROTOCOL_VERSION, kind, description };
}

/** Every vector file, by file name. */
export function buildVectors(): Record<string, VectorFile> {
  const frames: FrameVectorFile = { ...header('frames', 'Bytes fed to a frame decoder (docs/protocol.md section 4): the frames it hands out, or the violation that stops it.'), cases: frameCases() };
  const handshake: HandshakeVectorFile = {
    ...header('handshake', 'What a client sends first to the test server (section 3): accepted with the server preface, or refused with a GOAWAY.'),
    cases: handshakeCases(),
  };
  const calls: CallVectorFile = {
    ...header('calls', 'After a handshake with the EchoService test server: frames the client sends and the frames the server answers with (sections 5, 7, 13).'),
    cases: callCases(),
  };
  return { 'frames.json': frames, 'handshake.json': handshake, 'calls.json': calls };
}

/** The text of a vector file as committed: two-space JSON and a final newline. */
export function vectorFileText(file: VectorFile): string {
  return `${JSON.stringify(file, null, 2)}\n`;
}

if (require.main === module) {
  mkdirSync(VECTORS_DIR, { recursive: true });
  for (const [name, file] of Object.entries(buildVectors())) {
    writeFileSync(join(VECTORS_DIR, name), vectorFileText(file));
    console.log(`${join(VECTORS_DIR, name)}: ${file.cases.length} cases`);
  }
}
