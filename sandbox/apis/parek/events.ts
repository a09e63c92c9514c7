// PaRek's SpecimenCollected events (facts §3.5): one per recorded specimen, to the requester's
// queue, on the twin's embedded broker or, when SANDBOX_PAREK_AMQP_URL names one, on a real
// broker (RabbitMQ in CI), published with rhea as a client. Each rule is a named check.
import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import rhea from 'rhea';
import { stringSetting, urlSetting, type Env } from '../../../helpers/config/settings.ts';
import { REQUESTER_DEFINED_UUID } from '../../../helpers/packs/parek.ts';

/** A stable UUID derived from another id: the broker's own id for a specimen, as a dialect may have it. */
const uuidFrom = (id: string) => {
  const h = createHash('sha256').update(`specimen-event:${id}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
};

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The twin's own variables for publishing to an outside broker instead of its embedded one. */
export const EVENT_SETTINGS = {
  url: urlSetting('SANDBOX_PAREK_AMQP_URL', 'publish PaRek events to this AMQP 1.0 broker instead of the embedded one (amqps://host:5671)', ['amqp:', 'amqps:']),
  username: stringSetting('SANDBOX_PAREK_AMQP_USERNAME', "the twin's publishing user on that broker"),
  password: stringSetting('SANDBOX_PAREK_AMQP_PASSWORD', "the twin's publishing password on that broker"),
  address: stringSetting('SANDBOX_PAREK_AMQP_ADDRESS', 'the address the twin publishes events to (e.g. /queues/<name> on RabbitMQ 4, /queue/<name> on 3)'),
  caFile: stringSetting('SANDBOX_PAREK_AMQP_CA_FILE', "the CA that signed that broker's certificate (PEM)"),
  vhost: stringSetting('SANDBOX_PAREK_AMQP_VHOST', 'the virtual host on that broker', { fallback: 'external' }),
};

/** Where events go: a queue name (embedded) or the configured address (outside broker). */
export interface EventSink {
  publish(queue: string, body: string): void;
  close(): Promise<void>;
}

/** The event for a specimen of a requisition (PascalCase, as NHN's example). */
export function specimenCollected(requisition: Json, specimen: Json, on: (rule: string) => boolean): Json {
  const uuid = ((requisition.identifier ?? []) as Json[]).find((i) => i.system === REQUESTER_DEFINED_UUID)?.value;
  const device = ((specimen.contained ?? []) as Json[]).find((c) => c.resourceType === 'Device');
  const event: Json = {
    EventId: randomUUID(),
    EventType: 'SpecimenCollected',
    CollectedTime: new Date(String(specimen.collection?.collectedDateTime ?? Date.now())).toISOString(),
    // NHN's example names a SpecimenId; that it is the FHIR Specimen.id is our reading (a dialect names another).
    SpecimenId: on('parek.event.specimen-id') ? String(specimen.id) : uuidFrom(String(specimen.id)),
    ExternalRequisitionId: on('parek.event.requisition-id') ? uuid : String(requisition.id),
    ExternalDeviceId: String(device?.identifier?.[0]?.value ?? ''),
  };
  if (!on('parek.event.schema')) delete event.CollectedTime;
  return event;
}

/** Publishes to an outside broker with rhea: one connection, one sender to the configured address. */
export function outsideBroker(env: Env): EventSink | undefined {
  const url = EVENT_SETTINGS.url.read(env);
  if (!url) return undefined;
  const u = new URL(url);
  const address = EVENT_SETTINGS.address.read(env);
  if (!address) throw new Error('SANDBOX_PAREK_AMQP_ADDRESS is required with SANDBOX_PAREK_AMQP_URL');
  const caFile = EVENT_SETTINGS.caFile.read(env);
  const container = rhea.create_container({ id: `parek-twin-publisher-${randomUUID().slice(0, 8)}` });
  const connection = container.connect({
    host: u.hostname,
    port: Number(u.port || (u.protocol === 'amqps:' ? 5671 : 5672)),
    transport: u.protocol === 'amqps:' ? 'tls' : 'tcp',
    ...(caFile ? { ca: fs.readFileSync(caFile, 'utf8') } : {}),
    servername: u.hostname,
    hostname: `vhost:${EVENT_SETTINGS.vhost.read(env)}`,
    username: EVENT_SETTINGS.username.read(env),
    password: EVENT_SETTINGS.password.read(env),
    reconnect: true,
  } as never);
  const sender = connection.open_sender({ target: { address } });
  const backlog: string[] = [];
  const flush = () => {
    while (backlog.length && sender.sendable()) sender.send({ message_id: randomUUID(), content_type: 'application/json', durable: true, body: backlog.shift()! });
  };
  sender.on('sendable', flush);
  connection.on('connection_error', (c: rhea.EventContext) => process.stderr.write(`[twin:parek] event broker: ${String(c.connection.error ?? 'connection error')}\n`));
  connection.on('disconnected', (c: rhea.EventContext) => c.error && process.stderr.write(`[twin:parek] event broker disconnected: ${String((c.error as Error).message ?? c.error)}\n`));
  return {
    publish(_queue, body) {
      backlog.push(body);
      flush();
    },
    async close() {
      connection.close();
    },
  };
}
