// A fixed-size log-linear latency histogram: constant memory however long a cell runs, ~3% resolution.

// Each power of two is split into this many linear sub-buckets (relative error <= 1/32).
const SUB_BUCKETS = 32;
const SUB_BITS = 5;
// Values are recorded in nanoseconds; 2^40 ns is ~18 minutes, far past any sane latency.
const MAX_EXPONENT = 40;
const BUCKETS = (MAX_EXPONENT + 1) * SUB_BUCKETS;

/** Records latencies (given in milliseconds) and answers percentiles, in O(1) memory. */
export class LatencyHistogram {
  private readonly counts = new Float64Array(BUCKETS);
  private total = 0;
  private sumNs = 0;
  private maxNs = 0;

  get count(): number {
    return this.total;
  }

  /** Records `times` samples of `ms` milliseconds (a batch that arrived together counts once per frame). */
  record(ms: number, times = 1): void {
    const ns = ms > 0 ? ms * 1e6 : 1;
    this.counts[bucketOf(ns)] += times;
    this.total += times;
    this.sumNs += ns * times;
    if (ns > this.maxNs) this.maxNs = ns;
  }

  reset(): void {
    this.counts.fill(0);
    this.total = 0;
    this.sumNs = 0;
    this.maxNs = 0;
  }

  /** Mean in ms (Little's law check: mean latency ~= in flight / throughput); NaN when empty. */
  mean(): number {
    return this.total === 0 ? NaN : this.sumNs / this.total / 1e6;
  }

  /** The value (ms) below which `quantile` (0..1) of the samples fall; NaN when empty. */
  percentile(quantile: number): number {
    if (this.total === 0) return NaN;
    const rank = Math.max(1, Math.ceil(quantile * this.total));
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i];
      if (seen >= rank) return Math.min(midpointOf(i), this.maxNs) / 1e6;
    }
    return this.maxNs / 1e6;
  }
}

function bucketOf(ns: number): number {
  const value = Math.max(1, Math.floor(ns));
  // clz32 is exact up to 2^32 ns (4.3 s); beyond that log2 is precise enough for a tail bucket.
  const exponent = Math.min(MAX_EXPONENT, value <= 0xffff_ffff ? 31 - Math.clz32(value) : Math.floor(Math.log2(value)));
  if (exponent < SUB_BITS) return exponent * SUB_BUCKETS + (value - 2 ** exponent); // exact below 32 ns
  const sub = Math.floor((value / 2 ** exponent - 1) * SUB_BUCKETS);
  return exponent * SUB_BUCKETS + Math.min(sub, SUB_BUCKETS - 1);
}

function midpointOf(index: number): number {
  const exponent = Math.floor(index / SUB_BUCKETS);
  const sub = index % SUB_BUCKETS;
  if (exponent < SUB_BITS) return 2 ** exponent + sub;
  return 2 ** exponent * (1 + (sub + 0.5) / SUB_BUCKETS);
}
