// Number formatting shared by every table: rates with thousands separators, latencies in µs or ms.

/** 1234567.8 -> "1,234,568". */
export function formatRate(perSecond: number): string {
  if (!Number.isFinite(perSecond)) return '-';
  return Math.round(perSecond).toLocaleString('en-US');
}

/** Milliseconds as "87 µs", "1.42 ms" or "12.3 ms": three significant digits, µs below 1 ms. */
export function formatLatency(ms: number): string {
  if (!Number.isFinite(ms)) return '-';
  if (ms < 1) return `${+(ms * 1000).toPrecision(3)} µs`;
  return `${ms < 100 ? ms.toPrecision(3) : Math.round(ms)} ms`;
}

/** 0.934 -> "0.93x". */
export function formatRatio(ratio: number): string {
  return Number.isFinite(ratio) ? `${ratio.toFixed(2)}x` : '-';
}

/** Bytes as "64 B", "4 KiB", "143.2 MiB". */
export function formatBytes(bytes: number): string {
  if (Math.abs(bytes) < 1024) return `${bytes} B`;
  if (Math.abs(bytes) < 1024 * 1024) return `${+(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

/** A relative spread 0.034 -> "±3%". */
export function formatSpread(spread: number): string {
  return Number.isFinite(spread) ? `±${Math.round(spread * 100)}%` : '-';
}

/** CPU microseconds per operation: 0.734 -> "0.73 µs", 1372 -> "1.37 ms". */
export function formatCpu(micros: number): string {
  if (!Number.isFinite(micros)) return '-';
  if (micros >= 1000) return `${(micros / 1000).toPrecision(3)} ms`;
  return `${micros < 10 ? micros.toFixed(2) : micros.toPrecision(3)} µs`;
}
