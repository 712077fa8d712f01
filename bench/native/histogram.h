// Latency histogram of the native broadcast client: each power of two of nanoseconds split into 32 linear
// sub-buckets (~3% resolution), the same buckets as loadgen.c's.
#ifndef FRAMERPC_BENCH_HISTOGRAM_H
#define FRAMERPC_BENCH_HISTOGRAM_H
#include <stdint.h>
#include <string.h>

#define SUB_BITS 5
#define SUB_BUCKETS (1 << SUB_BITS)
#define MAX_EXPONENT 40
#define BUCKETS ((MAX_EXPONENT + 1) * SUB_BUCKETS)

struct histogram {
  uint64_t counts[BUCKETS];
  uint64_t total;
  uint64_t max_ns;
};

static void histogram_reset(struct histogram *h) { memset(h, 0, sizeof *h); }

static void histogram_record(struct histogram *h, uint64_t ns) {
  uint64_t value = ns > 0 ? ns : 1;
  int exponent = 63 - __builtin_clzll(value);
  int bucket;
  if (exponent > MAX_EXPONENT) exponent = MAX_EXPONENT;
  if (exponent < SUB_BITS) {
    bucket = exponent * SUB_BUCKETS + (int)(value - (1ull << exponent));
  } else {
    uint64_t sub = (value >> (exponent - SUB_BITS)) - SUB_BUCKETS;
    if (sub > SUB_BUCKETS - 1) sub = SUB_BUCKETS - 1;
    bucket = exponent * SUB_BUCKETS + (int)sub;
  }
  h->counts[bucket]++;
  h->total++;
  if (value > h->max_ns) h->max_ns = value;
}

/** The value (µs) below which `quantile` of the samples fall: the bucket's midpoint, capped at the max. */
static double histogram_percentile_us(const struct histogram *h, double quantile) {
  if (h->total == 0) return -1;
  uint64_t rank = (uint64_t)(quantile * (double)h->total);
  if ((double)rank < quantile * (double)h->total) rank++;
  if (rank < 1) rank = 1;
  uint64_t seen = 0;
  for (int i = 0; i < BUCKETS; i++) {
    seen += h->counts[i];
    if (seen >= rank) {
      int exponent = i / SUB_BUCKETS, sub = i % SUB_BUCKETS;
      double mid = exponent < SUB_BITS ? (double)((1u << exponent) + sub) : (double)(1ull << exponent) * (1.0 + (sub + 0.5) / SUB_BUCKETS);
      if (mid > (double)h->max_ns) mid = (double)h->max_ns;
      return mid / 1000.0;
    }
  }
  return (double)h->max_ns / 1000.0;
}
#endif
