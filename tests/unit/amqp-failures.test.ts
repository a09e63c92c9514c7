// A broken AMQP broker is an infrastructure failure that says what happened: refused, a TLS
// handshake that fails, a broker that never answers. No stack trace, no hang.
import net from 'node:net';
import rhea from 'rhea';
import { expect, test } from '../../fixtures/base.ts';
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

/** A real AMQP 1.0 peer (rhea's listener): SASL PLAIN that refuses or accepts, and a queue that can be detached. */
async function amqpServer(o: { accept: boolean; onSender?: (sender: rhea.Sender) => void }): Promise<{ port: number; close(): void }> {
  const container = rhea.create_container({ id: 'hostile-broker' });
  container.sasl_server_mechanisms.enable_plain(() => o.accept);
  container.on('sender_open', (c: rhea.EventContext) => {
    c.sender!.set_source({ address: (c.sender as unknown as { remote: { attach: { source: { address: string } } } }).remote.attach.source.address });
    o.onSender?.(c.sender!);
  });
  const listener = container.listen({ port: 0, host: '127.0.0.1' }) as unknown as net.Server;
  await new Promise<void>((r) => (listener.listening ? r() : listener.once('listening', () => r())));
  return { port: (listener.address() as net.AddressInfo).port, close: () => listener.close() };
}

const plain = (port: number, timeoutMs = 3_000) => ({ url: `amqp://127.0.0.1:${port}`, vhost: 'external', username: 'requester', password: 'not-the-password', address: '/queues/q', timeoutMs });

test('a refused SASL exchange is a sasl failure, within the bound', async () => {
  const broker = await amqpServer({ accept: false });
  try {
    const started = Date.now();
    const e = await failure(AmqpConsumer.open(plain(broker.port)));
    expect(e.symptom, e.message).toBe('sasl');
    expect(e.message).not.toContain('not-the-password');
    expect(Date.now() - started).toBeLessThan(3_000);
  } finally {
    broker.close();
  }
});

test('a link detached mid-stream: the messages that came are read, then the next read fails with the broker\'s condition', async () => {
  const broker = await amqpServer({
    accept: true,
    // Two messages as the consumer's credit allows, and the detach once both are settled: driven by
    // the protocol's own events, not by a timer a loaded machine could outrun.
    onSender: (sender) => {
      let sent = 0;
      let settled = 0;
      const send = () => {
        while (sent < 2 && sender.sendable()) sender.send({ body: `{"n":${++sent}}` });
      };
      sender.on('sendable', send);
      sender.on('accepted', () => {
        if (++settled === 2) sender.close({ condition: 'amqp:resource-deleted', description: 'queue q was deleted' });
      });
      send();
    },
  });
  try {
    const consumer = await AmqpConsumer.open(plain(broker.port));
    const first = await consumer.next(2_000);
    const second = await consumer.next(2_000);
    expect([first?.json(), second?.json()]).toEqual([{ n: 1 }, { n: 2 }]);
    first!.accept();
    second!.accept();
    const started = Date.now();
    const e = await consumer.next(5_000).then(() => undefined, (err: unknown) => err as InfrastructureError);
    expect(e, 'the detach was not reported').toBeInstanceOf(InfrastructureError);
    expect(e!.symptom).toBe('amqp');
    expect(e!.message).toMatch(/AMQP link to \/queues\/q detached by the broker after \d+ ms and 2 message\(s\): amqp:resource-deleted \(queue q was deleted\)/);
    expect(String(e!.stack)).not.toMatch(/\n\s+at /);
    expect(Date.now() - started, 'the read waited out its timeout instead of failing at the detach').toBeLessThan(2_000);
    consumer.close();
  } finally {
    broker.close();
  }
});
