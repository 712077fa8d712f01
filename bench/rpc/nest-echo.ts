// NestJS peer: a microservice over Transport.TCP with @MessagePattern('echo'), and a TCP ClientProxy.
// Forked as a child (require.main), this module runs the server; imported, it provides the client.
import 'reflect-metadata';
import type { AddressInfo, Server } from 'node:net';
import { Controller, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ClientProxyFactory, MessagePattern, Payload, Transport, type MicroserviceOptions } from '@nestjs/microservices';
import { firstValueFrom } from 'rxjs';
import { serveInChild, type ChildServer } from '../child/serve-in-child';
import type { RpcEchoClient, RpcPeerFactory } from './rpc-peer';

interface EchoMessage {
  text: string;
}

@Controller()
class EchoController {
  @MessagePattern('echo')
  echo(@Payload() message: EchoMessage): EchoMessage {
    return message;
  }
}

@Module({ controllers: [EchoController] })
class EchoModule {}

/** Starts the Nest microservice on 127.0.0.1 (port 0), logging nothing. */
export async function startNestEchoServer(): Promise<ChildServer> {
  const app = await NestFactory.createMicroservice<MicroserviceOptions>(EchoModule, {
    transport: Transport.TCP,
    options: { host: '127.0.0.1', port: 0 },
    logger: false,
  });
  await app.listen();
  const port = (app.unwrap<Server>().address() as AddressInfo).port;
  return { port, connections: () => 0, close: () => app.close() };
}

/** The NestJS row of the rpc section: one ClientProxy (one TCP socket), `send('echo', { text })`. */
export const nestEchoPeer: RpcPeerFactory = {
  name: 'NestJS TCP',
  serverModule: 'rpc/nest-echo',
  async connect(port: number): Promise<RpcEchoClient> {
    const client = ClientProxyFactory.create({ transport: Transport.TCP, options: { host: '127.0.0.1', port } });
    await client.connect();
    return {
      echo: async (text) => (await firstValueFrom(client.send<EchoMessage, EchoMessage>('echo', { text }))).text,
      close: async () => client.close(),
    };
  },
};

if (require.main === module) serveInChild(startNestEchoServer);
