// node:diagnostics_channel in the browser bundle: channels nobody subscribes to (publishing sites check hasSubscribers).
const silent = {
  hasSubscribers: false,
  publish(): void {},
  subscribe(): void {},
  unsubscribe(): boolean {
    return false;
  },
};

export function channel(): typeof silent {
  return silent;
}

export default { channel };
