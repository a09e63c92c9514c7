// The suite's AMQP 1.0 consumer, on rhea, as a requester's system reads PaRek's specimen events:
// amqps, a virtual host, SASL PLAIN, a queue address, explicit settlement and a bounded credit
// window. A broker that cannot be reached, refuses the handshake or the credentials, or says
// nothing in time is an infrastructure failure that says what happened, never a stack trace.
import rhea from 'rhea';
import { InfrastructureError, type InfrastructureKind } from '../http/errors.ts';

export interface AmqpSettings {
  /** amqps://host:port (amqp:// for a plain connection). */
  url: string;
  vhost: string;
  username?: string;
  /** Without a password, rhea offers SASL ANONYMOUS. */
  password?: string;
  /** The queue's address: /queues/<name> (RabbitMQ 4) or /queue/<name> (RabbitMQ 3). */
  address: string;
  /** PEM of the CA to trust (the twin's certificate, a private CA). */
  ca?: string;
  /** TLS knobs for the negative tests (an old protocol version). */
  tls?: { minVersion?: 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3'; maxVersion?: 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3'; ciphers?: string };
  /** Connect without TLS even to an amqps URL (the plain-connection negative). */
  plain?: boolean;
  timeoutMs?: number;
}

export interface Delivery {
  text: string;
  json<T = unknown>(): T;
  deliveryCount: number;
  accept(): void;
  release(): void;
  modify(): void;
  reject(): void;
}

function classify(error: unknown, where: string): InfrastructureError {
  const e = error as { code?: string; message?: string; condition?: string; description?: string } | undefined;
  const text = `${e?.code ?? ''} ${e?.condition ?? ''} ${e?.message ?? e?.description ?? String(error ?? '')}`.trim();
  let kind: InfrastructureKind = 'amqp';
  if (/ECONNREFUSED/.test(text)) kind = 'connection-refused';
  else if (/ECONNRESET|EPIPE|socket hang up/i.test(text)) kind = 'connection-reset';
  else if (/ETIMEDOUT|timed out|timeout/i.test(text)) kind = 'timeout';
  else if (/ENOTFOUND|EAI_AGAIN/.test(text)) kind = 'dns';
  else if (/SSL|TLS|certificate|handshake|EPROTO|wrong version|self.signed/i.test(text)) kind = 'tls';
  // Authentication itself failed (rhea says so in these words); a link refused later is not SASL.
  else if (/Failed to authenticate|No suitable mechanism|\bsasl\b/i.test(text)) kind = 'sasl';
  return new InfrastructureError(kind, `AMQP ${where}: ${text.replace(/\s+/g, ' ').slice(0, 300)}`);
}

/** One connection and one receiver on the queue, settled by hand, with `credit` messages in flight at most. */
export class AmqpConsumer {
  private readonly waiting: Delivery[] = [];
  private wake?: () => void;
  private failure?: InfrastructureError;
  private closing = false;
  private delivered = 0;

  private constructor(
    private readonly connection: rhea.Connection,
    private readonly receiver: rhea.Receiver,
  ) {}

  static async open(settings: AmqpSettings, o: { credit?: number } = {}): Promise<AmqpConsumer> {
    const u = new URL(settings.url);
    const tls = u.protocol === 'amqps:' && !settings.plain;
    const timeoutMs = settings.timeoutMs ?? 10_000;
    const container = rhea.create_container({ id: `nhn-suite-${Math.random().toString(36).slice(2, 10)}` });
    const connection = container.connect({
      host: u.hostname,
      port: Number(u.port || (u.protocol === 'amqps:' ? 5671 : 5672)),
      transport: tls ? 'tls' : 'tcp',
      ...(tls ? { servername: u.hostname, ...(settings.ca ? { ca: settings.ca } : {}), ...settings.tls } : {}),
      hostname: `vhost:${settings.vhost}`,
      ...(settings.username !== undefined ? { username: settings.username } : {}),
      ...(settings.password !== undefined ? { password: settings.password } : {}),
      reconnect: false,
      idle_time_out: 30_000,
    } as never);
    const receiver = connection.open_receiver({ source: { address: settings.address }, autoaccept: false, credit_window: o.credit ?? 5 });
    const consumer = new AmqpConsumer(connection, receiver);
    receiver.on('message', (context: rhea.EventContext) => {
      const delivery = context.delivery!;
      const body = context.message?.body as unknown;
      const text = typeof body === 'string' ? body : Buffer.isBuffer(body) ? body.toString('utf8') : (body as { content?: Buffer })?.content ? Buffer.from((body as { content: Buffer }).content).toString('utf8') : JSON.stringify(body);
      consumer.delivered += 1;
      consumer.waiting.push({
        text,
        json: <T>() => JSON.parse(text) as T,
        deliveryCount: Number(context.message?.delivery_count ?? 0),
        accept: () => delivery.accept(),
        // The pure released outcome; and modified with both flags stated: RabbitMQ 3.10 closes the
        // connection on a modified outcome whose undeliverable-here is left out.
        release: () => delivery.release(),
        modify: () => delivery.modified({ delivery_failed: true, undeliverable_here: false }),
        reject: () => delivery.reject(),
      });
      consumer.wake?.();
    });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => fail({ message: `no link to ${settings.address} within ${timeoutMs} ms (timeout)` }), timeoutMs);
      const fail = (error: unknown) => {
        clearTimeout(timer);
        if (connection.is_open()) connection.close();
        reject(classify(error, `connection to ${u.host}`));
      };
      receiver.once('receiver_open', () => {
        // An attach with a null source is a refusal; its detach, with the reason, follows (AMQP 1.0 §2.6.3).
        if (!receiver.source?.address) return;
        clearTimeout(timer);
        resolve();
      });
      receiver.once('receiver_close', (c: rhea.EventContext) => fail(c.receiver?.error ?? { message: `the broker refused the link to ${settings.address}` }));
      receiver.once('receiver_error', (c: rhea.EventContext) => fail(c.receiver?.error));
      connection.once('connection_error', (c: rhea.EventContext) => fail(c.error ?? c.connection.error));
      connection.once('disconnected', (c: rhea.EventContext) => fail(c.error ?? { message: 'the broker closed the connection' }));
    });
    connection.on('disconnected', (c: rhea.EventContext) => {
      consumer.failure ??= classify(c.error ?? { message: 'disconnected' }, 'connection');
      consumer.wake?.();
    });
    // The broker detaching the link mid-stream (a queue deleted, a broker shutting down): what is
    // waiting is still handed out, then the next read fails with the broker's condition.
    const opened = performance.now();
    const detached = (c: rhea.EventContext) => {
      if (consumer.closing) return;
      const error = c.receiver?.error as { condition?: string; description?: string } | undefined;
      consumer.failure ??= new InfrastructureError(
        'amqp',
        `AMQP link to ${settings.address} detached by the broker after ${Math.round(performance.now() - opened)} ms and ${consumer.delivered} message(s): ${error?.condition ?? 'no condition'}${error?.description ? ` (${error.description})` : ''}`,
      );
      consumer.wake?.();
    };
    receiver.on('receiver_close', detached);
    receiver.on('receiver_error', detached);
    connection.on('connection_error', () => {});
    connection.on('error', () => {});
    return consumer;
  }

  /** The next delivery, or undefined after `timeoutMs` without one. */
  async next(timeoutMs: number): Promise<Delivery | undefined> {
    const deadline = Date.now() + timeoutMs;
    while (!this.waiting.length) {
      if (this.failure) throw this.failure;
      const left = deadline - Date.now();
      if (left <= 0) return undefined;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
    return this.waiting.shift();
  }

  close(): void {
    this.closing = true;
    if (this.receiver.is_open()) this.receiver.close();
    this.connection.close();
  }
}
