// The twin's embedded AMQP 1.0 endpoint for PaRek's specimen events, on rhea: TLS with a
// certificate made at start, SASL PLAIN with synthetic credentials, one queue per requester,
// explicit settlement (accepted removes a message; released and modified put it back for
// redelivery, the same message; rejected drops it). Every rule is a named check a fault can turn
// off. It stands in for NHN's broker; `npm run test:broker` proves the suite against RabbitMQ.
import { randomUUID } from 'node:crypto';
import type { Server, Socket } from 'node:net';
import rhea from 'rhea';
import type { CheckSet } from '../../core/checks.ts';

export interface BrokerUser {
  password: string;
  /** The one queue this user may read. */
  queue: string;
}

export interface BrokerOptions {
  host: string;
  port: number;
  tls: { key: string; cert: string };
  users: ReadonlyMap<string, BrokerUser>;
  checks: CheckSet;
  /** The virtual host a connection names (`vhost:<name>` in open.hostname, as RabbitMQ takes it). */
  vhost: string;
}

interface Held {
  id: string;
  queue: string;
  body: string;
  deliveries: number;
  /** The link it is out on, unsettled. */
  out?: rhea.Sender;
}

/** Queue addresses as RabbitMQ 3 (`/queue/<name>`) and 4 (`/queues/<name>`) spell them. */
const queueOf = (address: string | undefined) => /^\/queues?\/(.+)$/.exec(address ?? '')?.[1];

export class EmbeddedBroker {
  private readonly queues = new Map<string, Held[]>();
  private readonly senders = new Map<string, Set<rhea.Sender>>();
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  private readonly container = rhea.create_container({ id: `parek-twin-broker-${randomUUID().slice(0, 8)}` });

  constructor(private readonly options: BrokerOptions) {
    const on = (rule: string) => options.checks.on(rule, 'parek');
    const mechanisms = this.container.sasl_server_mechanisms;
    mechanisms.enable_plain((username: string, password: string) => {
      const user = options.users.get(username);
      return !!user && (user.password === password || !on('amqp.sasl.password'));
    });
    // SASL ANONYMOUS is never offered (facts §3.5: username and password).
    if (!on('amqp.sasl.plain-only')) mechanisms.enable_anonymous();

    /** The virtual host a connection named, when it is not this broker's (`vhost:<name>` in open.hostname, as RabbitMQ takes it). */
    const wrongVhost = (connection: rhea.Connection) => {
      const hostname = connection.hostname ?? '';
      return hostname && hostname !== `vhost:${options.vhost}` && hostname !== options.vhost && on('amqp.vhost') ? hostname : undefined;
    };
    const refuseVhost = (connection: rhea.Connection, hostname: string) =>
      connection.close({ condition: 'amqp:not-found', description: `no virtual host "${hostname}"; this broker serves vhost:${options.vhost}` });
    this.container.on('connection_open', (context: rhea.EventContext) => {
      const hostname = wrongVhost(context.connection);
      if (hostname) refuseVhost(context.connection, hostname);
    });
    /** Refuses a link as AMQP 1.0 §2.6.3 says: an attach with a null source, then a detach with the error. */
    const refuseLink = (sender: rhea.Sender, condition: string, description: string) => {
      (sender as unknown as { local: { attach: { source: unknown } } }).local.attach.source = null;
      sender.close({ condition, description });
    };
    this.container.on('sender_open', (context: rhea.EventContext) => {
      const sender = context.sender!;
      // An attach that came with the open of a connection on another virtual host gets no link.
      const hostname = wrongVhost(context.connection);
      if (hostname) {
        refuseLink(sender, 'amqp:not-found', `no virtual host "${hostname}"`);
        refuseVhost(context.connection, hostname);
        return;
      }
      const queue = queueOf(sender.source?.address);
      // The SASL layer knows who logged in (inside rhea's selective server when no-SASL is also allowed).
      const sasl = (context.connection as unknown as { sasl_transport?: { username?: string; transports?: Record<number, { username?: string }> } }).sasl_transport;
      const username = sasl?.username ?? sasl?.transports?.[3]?.username;
      const allowed = username !== undefined && options.users.get(username)?.queue === queue;
      // A user reads its own queue only (not a checked requirement: RabbitMQ's permissions are the operator's).
      if (!queue || !allowed) {
        refuseLink(sender, 'amqp:unauthorized-access', `no queue ${sender.source?.address ?? '(none)'} for this user`);
        return;
      }
      sender.set_source({ address: sender.source.address });
      let set = this.senders.get(queue);
      if (!set) this.senders.set(queue, (set = new Set()));
      set.add(sender);
    });
    const settle = (context: rhea.EventContext, requeue: boolean) => {
      const carrier = context.delivery as unknown as { held?: Held };
      const held = carrier.held;
      // An outcome is acted on once: rhea may tell of a delivery's state and its settlement apart.
      if (!held || held.out !== context.delivery?.link) return;
      carrier.held = undefined;
      held.out = undefined;
      if (!requeue) this.remove(held);
      else if (!on('amqp.redelivery.same')) {
        // A broken broker: what comes back is a new event, not the same one again.
        this.remove(held);
        const event = JSON.parse(held.body) as Record<string, unknown>;
        this.publish(held.queue, JSON.stringify({ ...event, EventId: randomUUID() }));
      }
      this.pump();
    };
    this.container.on('accepted', (c: rhea.EventContext) => settle(c, false));
    this.container.on('rejected', (c: rhea.EventContext) => settle(c, false));
    this.container.on('released', (c: rhea.EventContext) => settle(c, true));
    this.container.on('modified', (c: rhea.EventContext) => settle(c, true));
    this.container.on('sendable', () => this.pump());
    const forget = (context: rhea.EventContext) => {
      const gone = (s: rhea.Sender) => s === context.sender || s.connection === context.connection;
      for (const set of this.senders.values()) for (const s of set) if (gone(s)) set.delete(s);
      // What was out, unsettled, on a link that is gone goes back on the queue for redelivery.
      for (const queue of this.queues.values()) for (const held of queue) if (held.out && gone(held.out)) held.out = undefined;
      this.pump();
    };
    this.container.on('sender_close', forget);
    this.container.on('disconnected', forget);
    this.container.on('error', () => {});
  }

  private remove(held: Held): void {
    for (const queue of this.queues.values()) {
      const i = queue.indexOf(held);
      if (i >= 0) queue.splice(i, 1);
    }
  }

  /** Puts an event on a queue. */
  publish(queue: string, body: string): void {
    let q = this.queues.get(queue);
    if (!q) this.queues.set(queue, (q = []));
    q.push({ id: randomUUID(), queue, body, deliveries: 0 });
    this.pump();
  }

  private pump(): void {
    for (const [queue, held] of this.queues) {
      for (const sender of this.senders.get(queue) ?? []) {
        for (const message of held) {
          if (message.out || !sender.is_open() || !sender.sendable()) continue;
          message.out = sender;
          const delivery = sender.send({ message_id: message.id, content_type: 'application/json', delivery_count: message.deliveries, first_acquirer: message.deliveries === 0, body: message.body });
          message.deliveries += 1;
          (delivery as unknown as { held?: Held }).held = message;
        }
      }
    }
  }

  async listen(): Promise<void> {
    const on = (rule: string) => this.options.checks.on(rule, 'parek');
    const tls = on('amqp.tls');
    const listenOptions = tls
      ? { port: this.options.port, host: this.options.host, transport: 'tls' as const, key: this.options.tls.key, cert: this.options.tls.cert, minVersion: on('amqp.tls.min-version') ? ('TLSv1.2' as const) : ('TLSv1' as const), ciphers: on('amqp.tls.min-version') ? undefined : 'DEFAULT@SECLEVEL=0', require_sasl: on('amqp.sasl.plain-only') }
      : { port: this.options.port, host: this.options.host, require_sasl: on('amqp.sasl.plain-only') };
    this.server = this.container.listen(listenOptions as never) as unknown as Server;
    this.server.on(tls ? 'secureConnection' : 'connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    // A handshake that fails (a plain client, TLS below 1.2) is the client's problem, not the twin's.
    this.server.on('tlsClientError', () => {});
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.once('listening', () => resolve());
    });
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
