// The native bench's parsing of the C load generator's JSON line, and the rounds of one cell combined.
import { parseLoadgenOutput, type LoadgenResult } from '../../bench/native/loadgen-result';
import { combineNativeRounds } from '../../bench/native/native-rounds';

const LINE =
  '{"mode":"unary","connections":1,"depth":256,"payloadBytes":64,"seconds":2.0001,"frames":900000,"framesPerSecond":449977.5,' +
  '"p50Us":412.5,"p90Us":600.1,"p99Us":900,"maxUs":4000.25,"allFrames":1100000,"cpuUs":2100000,"errors":0,"firstError":null,"fatal":null}';

function result(overrides: Partial<LoadgenResult>): LoadgenResult {
  return { ...parseLoadgenOutput(LINE), ...overrides };
}

describe('parseLoadgenOutput', () => {
  it('reads every field of the last line, numbers and nulls as printed', () => {
    const parsed = parseLoadgenOutput(`compiler noise\n${LINE}\n\n`);
    expect(parsed).toEqual({
      mode: 'unary',
      connections: 1,
      depth: 256,
      payloadBytes: 64,
      seconds: 2.0001,
      frames: 900000,
      framesPerSecond: 449977.5,
      p50Us: 412.5,
      p90Us: 600.1,
      p99Us: 900,
      maxUs: 4000.25,
      allFrames: 1100000,
      cpuUs: 2100000,
      errors: 0,
      firstError: null,
      fatal: null,
    });
  });

  it('keeps a fatal reason and null latencies of a run that measured nothing', () => {
    const failed = LINE.replace('"p50Us":412.5', '"p50Us":null').replace('"fatal":null', '"fatal":"connect to 127.0.0.1:1: Connection refused"');
    const parsed = parseLoadgenOutput(failed);
    expect(parsed.p50Us).toBeNull();
    expect(parsed.fatal).toBe('connect to 127.0.0.1:1: Connection refused');
  });

  it('names the field that has the wrong type', () => {
    expect(() => parseLoadgenOutput(LINE.replace('"frames":900000', '"frames":-1'))).toThrow('frames must be a non-negative integer, got -1');
    expect(() => parseLoadgenOutput(LINE.replace('"mode":"unary"', '"mode":"bidi"'))).toThrow('mode must be transport, unary or raw, got "bidi"');
    expect(() => parseLoadgenOutput(LINE.replace('"p99Us":900', '"p99Us":"900"'))).toThrow('p99Us must be null or a non-negative number');
    expect(() => parseLoadgenOutput(LINE.replace(',"fatal":null', ''))).toThrow('fatal must be null or a string, got undefined');
  });

  it('refuses output that is empty, not JSON, or not an object', () => {
    expect(() => parseLoadgenOutput('\n \n')).toThrow('loadgen printed nothing');
    expect(() => parseLoadgenOutput('usage: loadgen --mode=...')).toThrow('not JSON: usage: loadgen');
    expect(() => parseLoadgenOutput('[1,2]')).toThrow('not a JSON object');
  });
});

describe('combineNativeRounds', () => {
  it('takes the median round per metric, the largest max, sums frames and errors, and spreads CPU over every reply', () => {
    const combined = combineNativeRounds(
      [
        result({ framesPerSecond: 100, p50Us: 10, p99Us: 50, maxUs: 70, frames: 200, allFrames: 250, cpuUs: 500, errors: 0 }),
        result({ framesPerSecond: 300, p50Us: 30, p99Us: 90, maxUs: 500, frames: 600, allFrames: 750, cpuUs: 1500, errors: 2, firstError: 'call 7 failed with status 8: busy' }),
        result({ framesPerSecond: 200, p50Us: 20, p99Us: 60, maxUs: 80, frames: 400, allFrames: 500, cpuUs: 1000, errors: 1, firstError: 'later' }),
      ],
      6000,
    );
    expect(combined.serverCpuMicrosPerFrame).toBe(4);
    expect(combined.clientCpuMicrosPerFrame).toBe(2);
    expect(combined.framesPerSecond).toBe(200);
    expect(combined.perRound).toEqual([100, 300, 200]);
    expect(combined.spread).toBeCloseTo(0.5);
    expect(combined.p50Us).toBe(20);
    expect(combined.p99Us).toBe(60);
    expect(combined.maxUs).toBe(500);
    expect(combined.frames).toBe(1200);
    expect(combined.errors).toBe(3);
    expect(combined.firstError).toBe('call 7 failed with status 8: busy');
  });

  it('leaves latencies NaN when no round measured any, and refuses no rounds at all', () => {
    const combined = combineNativeRounds([result({ framesPerSecond: 0, frames: 0, p50Us: null, p90Us: null, p99Us: null, maxUs: null })]);
    expect(combined.p50Us).toBeNaN();
    expect(combined.maxUs).toBeNaN();
    expect(combined.spread).toBeNaN();
    // No server CPU given: not measured.
    expect(combined.serverCpuMicrosPerFrame).toBeNaN();
    expect(() => combineNativeRounds([])).toThrow(RangeError);
  });
});
