// framerpc broadcast server over WebSocket (forked child): the broadcast section's server, its clients taken on a WebSocket port.
import { startFramerpcBroadcast } from '../broadcast/framerpc-server';
import { serveBroadcast } from '../broadcast/server-child';

serveBroadcast(() => startFramerpcBroadcast(true));
