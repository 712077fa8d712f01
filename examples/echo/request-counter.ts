// A dependency of the echo handler, injected by tsyringe: counts the calls the server has served.
import { singleton } from 'tsyringe';

@singleton()
export class RequestCounter {
  private count = 0;

  /** Counts one call and returns its number. */
  next(): number {
    return ++this.count;
  }
}
