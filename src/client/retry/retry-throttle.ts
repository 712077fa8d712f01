// The retry budget (gRPC retry throttling): failures spend tokens, successes earn them back, retries need tokens.

/** Shared by every call of a channel, so a whole service failing stops retries instead of multiplying load. */
export class RetryThrottle {
  private tokens: number;

  constructor(
    private readonly maxTokens: number,
    private readonly tokenRatio: number,
  ) {
    this.tokens = maxTokens;
  }

  /** Tokens left now (for tests and metrics). */
  get tokenCount(): number {
    return this.tokens;
  }

  /** A call failed with a retryable code. */
  onFailure(): void {
    this.tokens = Math.max(0, this.tokens - 1);
  }

  /** A call succeeded. */
  onSuccess(): void {
    this.tokens = Math.min(this.maxTokens, this.tokens + this.tokenRatio);
  }

  /** Retries are allowed while more than half of the tokens are left. */
  get allowsRetry(): boolean {
    return this.tokens > this.maxTokens / 2;
  }
}
