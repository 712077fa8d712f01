// The README's "Testing your handlers" snippet, kept compiling (typecheck) and passing (jest).
import 'reflect-metadata';
import { createTestClient, Status } from '../../src'; // in your project: from 'framerpc'
import { EchoServiceDefinition } from '../../generated/echo/echo';
import { EchoHandler } from '../../examples/echo/echo-handler';

test('EchoHandler echoes and asks for a user name', async () => {
  const t = await createTestClient(EchoServiceDefinition, EchoHandler);
  try {
    await expect(t.client.echo({ text: 'hi' })).resolves.toMatchObject({ text: 'hi' });
    await expect(t.client.whoAmI({})).rejects.toMatchObject({ code: Status.UNAUTHENTICATED });
    await expect(t.client.whoAmI({}, { metadata: { user: 'ada' } })).resolves.toMatchObject({ user: 'ada' });
  } finally {
    await t.close();
  }
});
