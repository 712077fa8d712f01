// `npm run chat:web`: serves the chat page and its server until Ctrl-C. PORT (default 8080) and HOST (default 127.0.0.1) choose where.
import 'reflect-metadata';
import { startChatWebServer } from './chat-web-server';

async function main(): Promise<void> {
  const port = Number(process.env.PORT ?? 8080);
  const web = await startChatWebServer(port, process.env.HOST ?? '127.0.0.1');
  console.log(`chat:web: open ${web.url} in two browser tabs and chat (Node chat clients: 127.0.0.1:${web.chat.server.port}); Ctrl-C stops`);
  const stop = (): void => {
    web.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
