// The server's refusals for lack of room, as pure functions.
import { memoryWaitRefusal, responseLimitError } from '../../src/server/response-limits';
import { Status } from '../../src/rpc/status';

test('a response over maxResponseBytes, or over what the client window lets through, is RESOURCE_EXHAUSTED naming the limit', () => {
  expect(responseLimitError(100, 100, 100)).toBeUndefined();
  expect(responseLimitError(101, 100, 1000)).toMatchObject({ code: Status.RESOURCE_EXHAUSTED, rawMessage: 'response of 101 bytes exceeds maxResponseBytes (100)' });
  expect(responseLimitError(101, 1000, 100)?.message).toContain("raise the client's connectionWindowBytes");
});

test('a waiting request is refused only when the server holds the room: a quarter of the window held, or the budget spent', () => {
  expect(memoryWaitRefusal({ held: 10, window: 100 }, { exhausted: false, held: 10 })).toBeUndefined();
  expect(memoryWaitRefusal({ held: 25, window: 100 }, { exhausted: false, held: 25 })?.code).toBe(Status.RESOURCE_EXHAUSTED);
  expect(memoryWaitRefusal({ held: 0, window: 100 }, { exhausted: true, held: 1 << 28 })?.message).toContain('retry later');
});
