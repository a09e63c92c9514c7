// A broken AMQP broker is an infrastructure failure that says what happened: refused, a TLS
// handshake that fails, a broker that never answers. No stack trace, no hang.
import net from 'node:net';
import { expect, test } from '@playwright/test';
import { AmqpConsumer } from '../../helpers/amqp/consumer.ts';
import { InfrastructureError } from '../../helpers/http/errors.ts';

async function server(onSocket: (s: net.Socket) => void): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const srv = net.createServer((s) => {
    sockets.add(s);
    onSocket(s);
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return {
    port: (srv.address() as net.AddressInfo).port,
    close: () => new Promise<void>((r) => {
      for (const s of sockets) s.destroy();
      srv.close(() => r());
    }),
  };
}

const settings = (port: number, timeoutMs = 2_000) => ({ url: `amqps://127.0.0.1:${port}`, vhost: 'external', username: 'u', password: 'p', address: '/queues/q', timeoutMs });

async function failure(open: Promise<AmqpConsumer>): Promise<InfrastructureError> {
  const error = await open.then((c) => (c.close(), undefined), (e: unknown) => e);
  expect(error).toBeInstanceOf(InfrastructureError);
  expect(String((error as Error).stack)).not.toMatch(/\n\s+at /);
  return error as InfrastructureError;
}

test('a closed port is connection-refused', async () => {
  const s = await server(() => {});
  const port = s.port;
  await s.close();
  expect((await failure(AmqpConsumer.open(settings(port)))).symptom).toBe('connection-refused');
});

test('a server that does not speak TLS is a tls failure', async () => {
  // An HTTP answer where a TLS ServerHello belongs, the connection kept open.
  const s = await server((socket) => socket.write('HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n'));
  try {
    expect((await failure(AmqpConsumer.open(settings(s.port)))).symptom).toBe('tls');
  } finally {
    await s.close();
  }
});

test('a broker that never answers is a timeout, within the bound', async () => {
  const s = await server(() => {});
  try {
    const started = Date.now();
    expect((await failure(AmqpConsumer.open(settings(s.port, 500)))).symptom).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(3_000);
  } finally {
    await s.close();
  }
});
