// The error catalogue is complete: every code is documented in docs/errors.md, every ERR_ code src uses is catalogued,
// and each error class carries the code the catalogue gives it.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ErrorCode, errorCatalogue, FramerpcArgumentError, FramerpcError, FramerpcOptionError } from '../../src/errors';
import { createChannel } from '../../src/client/channel';
import { Metadata } from '../../src/rpc/metadata';
import { CloseCode, FrameError, resolveTransportOptions } from '../../src/transport';
import { errorCodeOfClose } from '../../src/codec/frame-error';
import { PushError, PushErrorCode } from '../../src/push/push-error';
import { DynamicProtoError, DynamicProtoErrorCode } from '../../src/dynamic/dynamic-proto-error';
import { UsageError } from '../../src/cli/connection-options';

const ROOT = path.join(__dirname, '..', '..');
const SRC = path.join(ROOT, 'src');
const CATALOGUE_FILE = path.join(SRC, 'errors', 'catalogue.ts');
const codes = Object.values(ErrorCode) as string[];

/** Codes Node itself raises, which src reads from errors Node throws (never raises): not framerpc's to catalogue. */
const NODE_CODES = new Set(['ERR_BUFFER_TOO_LARGE', 'ERR_TLS_HANDSHAKE_TIMEOUT']);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

const documented = new Set([...readFileSync(path.join(ROOT, 'docs', 'errors.md'), 'utf8').matchAll(/^\| `(ERR_[A-Z0-9_]+)` +\|/gm)].map((m) => m[1]));

describe('the error catalogue', () => {
  it('has unique ERR_ codes whose keys are the code without its prefix', () => {
    expect(new Set(codes).size).toBe(codes.length);
    for (const [key, code] of Object.entries(ErrorCode)) expect(code).toBe(`ERR_${key}`);
    expect(Object.keys(errorCatalogue).sort()).toEqual([...codes].sort());
    for (const entry of Object.values(errorCatalogue)) {
      expect(entry.when.length).toBeGreaterThan(10);
      expect(entry.remedy.length).toBeGreaterThan(10);
    }
  });

  it('documents every code in docs/errors.md, and documents no code it lacks', () => {
    expect(codes.filter((code) => !documented.has(code))).toEqual([]);
    expect([...documented].filter((code) => !codes.includes(code))).toEqual([]);
  });

  it('lists every ERR_ code used in src', () => {
    const unlisted: string[] = [];
    for (const file of sourceFiles(SRC)) {
      if (file === CATALOGUE_FILE) continue;
      for (const [code] of readFileSync(file, 'utf8').matchAll(/\bERR_[A-Z0-9_]+\b/g)) {
        if (!codes.includes(code) && !NODE_CODES.has(code)) unlisted.push(`${path.relative(ROOT, file)}: ${code}`);
      }
    }
    expect(unlisted).toEqual([]);
  });

  it('has no code that src never raises', () => {
    const text = sourceFiles(SRC)
      .filter((file) => file !== CATALOGUE_FILE)
      .map((file) => readFileSync(file, 'utf8'))
      .join('\n');
    const used = new Set([...text.matchAll(/\bErrorCode\.([A-Z0-9_]+)\b/g)].map((m) => m[1]));
    expect(Object.keys(ErrorCode).filter((key) => !used.has(key))).toEqual([]);
  });
});

describe('error classes carry catalogued codes', () => {
  function thrown(fn: () => unknown): unknown {
    try {
      fn();
    } catch (error) {
      return error;
    }
    throw new Error('expected a throw');
  }

  it('option errors are TypeErrors that name the option', () => {
    const error = thrown(() => createChannel({ host: '127.0.0.1', port: 1, maxResponseBytes: 0 }));
    expect(error).toBeInstanceOf(FramerpcOptionError);
    expect(error).toBeInstanceOf(TypeError);
    expect(error).toMatchObject({ code: 'ERR_INVALID_OPTION', option: 'maxResponseBytes', name: 'FramerpcOptionError' });
    expect(thrown(() => resolveTransportOptions({ compressionLevel: 12 }))).toMatchObject({ code: ErrorCode.INVALID_OPTION, option: 'compressionLevel' });
    expect(errorCatalogue.ERR_INVALID_OPTION.className).toBe('FramerpcOptionError');
  });

  it('argument errors are TypeErrors with their own codes', () => {
    const key = thrown(() => new Metadata().add('not a key!', 'x'));
    expect(key).toBeInstanceOf(FramerpcArgumentError);
    expect(key).toBeInstanceOf(TypeError);
    expect(key).toMatchObject({ code: 'ERR_METADATA_KEY' });
    expect(thrown(() => new Metadata().add('trace-bin', 'text'))).toMatchObject({ code: 'ERR_METADATA_VALUE' });
    expect(thrown(() => new Metadata().freeze().set('a', 'b'))).toMatchObject({ code: 'ERR_METADATA_READ_ONLY', message: expect.stringContaining('metadata.clone()') });
    expect(thrown(() => createChannel('no-port'))).toMatchObject({ code: 'ERR_INVALID_TARGET' });
  });

  it('a FrameError has a string code for its numeric close code', () => {
    const error = new FrameError(CloseCode.SERVER_FULL, 'full');
    expect(error).toMatchObject({ code: 'ERR_CONNECTION_SERVER_FULL', closeCode: 7 });
    for (const close of Object.values(CloseCode)) expect(codes).toContain(errorCodeOfClose(close));
    expect(new Set(Object.values(CloseCode).map(errorCodeOfClose)).size).toBe(Object.values(CloseCode).length);
    expect(errorCodeOfClose(999)).toBe('ERR_CONNECTION_UNKNOWN_CLOSE_CODE');
    expect(new FrameError(999 as CloseCode, 'from a newer peer').closeCode).toBe(999);
  });

  it('push, dynamic-proto, misuse and CLI errors take their codes from the catalogue', () => {
    for (const code of [...Object.values(PushErrorCode), ...Object.values(DynamicProtoErrorCode)]) expect(codes).toContain(code);
    expect(new PushError(PushErrorCode.CLOSED, 'closed').code).toBe('ERR_PUSH_CLOSED');
    expect(new DynamicProtoError(DynamicProtoErrorCode.NOT_FOUND, 'missing').code).toBe('ERR_PROTO_NOT_FOUND');
    expect(new FramerpcError(ErrorCode.SERVICE_ALREADY_ADDED, 'twice').code).toBe('ERR_SERVICE_ALREADY_ADDED');
    expect(new UsageError('bad').code).toBe('ERR_CLI_USAGE');
  });

  it('names the class each code comes with', () => {
    const classes = new Set(Object.values(errorCatalogue).map((entry) => entry.className));
    expect([...classes].sort()).toEqual(['DynamicProtoError', 'FrameError', 'FramerpcArgumentError', 'FramerpcError', 'FramerpcOptionError', 'PushError', 'UsageError']);
    for (const code of Object.values(PushErrorCode)) expect(errorCatalogue[code].className).toBe('PushError');
    for (const code of Object.values(DynamicProtoErrorCode)) expect(errorCatalogue[code].className).toBe('DynamicProtoError');
    for (const close of Object.values(CloseCode)) expect(errorCatalogue[errorCodeOfClose(close)].className).toBe('FrameError');
  });
});
