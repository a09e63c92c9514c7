// PaRek's SpecimenCollected events over AMQP 1.0, read with rhea as a requester's system reads
// them: one event per recorded specimen, in time, valid against our AsyncAPI document, naming the
// requisition and the specimen; the same event again, not a second one, after a released or
// modified delivery; SASL PLAIN only; TLS 1.2 or later only. The same specs run against the
// twin's embedded endpoint and against RabbitMQ (npm run test:broker).
import { expect, test } from '../../fixtures/index.ts';
import { amqpSettings } from '../../fixtures/amqp.ts';
import { PAREK_USER, post, requisition, specimen, syntheticPatientNin, uuidOf } from '../../fixtures/parek.ts';
import { AmqpConsumer, type AmqpSettings, type Delivery } from '../../helpers/amqp/consumer.ts';
import { specimenEventProblems } from '../../helpers/amqp/events.ts';
import { InfrastructureError } from '../../helpers/http/errors.ts';
import { measure, observe, should } from '../../helpers/evidence/verdicts.ts';
import { PAREK_SETTINGS } from '../../helpers/packs/parek.ts';
import type { ApiClient } from '../../helpers/http/api-client.ts';
import type { Profile } from '../../helpers/config/profiles.ts';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function settingsOf(profile: Profile): AmqpSettings {
  const s = amqpSettings(profile);
  if (typeof s === 'string') test.skip(true, s);
  return s as AmqpSettings;
}

/** Records a specimen for a fresh requisition; answers what its event must say, and when the recording was sent. */
async function recordSpecimen(client: ApiClient, version: string, nin: string): Promise<{ requesterUuid: string; specimenId: string; at: number }> {
  const sr = requisition(nin, { samples: 2 });
  const created = (await post(client, version, 'ServiceRequest', sr)).json<Json>();
  const at = Date.now();
  const response = await post(client, version, 'Specimen', specimen(String(created.id), nin));
  expect(response.status).toBe(201);
  return { requesterUuid: uuidOf(sr), specimenId: String(response.json<Json>().id), at };
}

/**
 * This specimen's deliveries: the first must come by `firstBy`; after each, the queue is watched
 * `quietMs` longer for another. Other events on the queue are accepted and set aside.
 */
async function eventsFor(consumer: AmqpConsumer, specimen: { specimenId: string; requesterUuid: string }, firstBy: number, quietMs: number, settle: (d: Delivery, n: number) => void = (d) => d.accept()): Promise<Array<{ event: Json; delivery: Delivery; at: number }>> {
  const mine: Array<{ event: Json; delivery: Delivery; at: number }> = [];
  let until = firstBy;
  for (let d = await consumer.next(until - Date.now()); d; d = await consumer.next(until - Date.now())) {
    let event: Json;
    try {
      event = d.json<Json>();
    } catch {
      d.accept();
      throw new Error(`an event on the queue is not JSON: ${d.text.slice(0, 120)}`);
    }
    // This specimen's: its id, or (where the SpecimenId is the broker's own id) its requisition's RequesterDefinedUuid, unique per test.
    if (event.SpecimenId !== specimen.specimenId && event.ExternalRequisitionId !== specimen.requesterUuid) {
      d.accept();
      continue;
    }
    mine.push({ event, delivery: d, at: Date.now() });
    until = Date.now() + quietMs;
    settle(d, mine.length);
  }
  return mine;
}

test.describe('PaRek SpecimenCollected events (AMQP 1.0)', () => {
  // One consumer at a time: the queue is the requester's, and each test sets aside the others' events.
  test.describe.configure({ mode: 'serial' });
  test.beforeEach(({ needs }) => needs({ services: ['parek', 'ttt'], ttt: true, auth: [['parek', 'dpop']], writes: true, patientData: true }));

  test('a recorded specimen yields exactly one valid event, in time, naming its requisition and specimen', { tag: ['@PAREK-EVENT-001'] }, async ({ api, profile }, info) => {
    const settings = settingsOf(profile);
    const within = profile.get(PAREK_SETTINGS.eventWithinMs);
    const consumer = await AmqpConsumer.open(settings);
    try {
      const recorded = await recordSpecimen(api('parek', 'dpop', { user: PAREK_USER }), profile.get(PAREK_SETTINGS.apiVersion)!, syntheticPatientNin(info));
      const mine = await eventsFor(consumer, recorded, recorded.at + within, profile.get(PAREK_SETTINGS.eventQuietMs));
      expect(mine.length, `events for the specimen within ${within} ms`).toBe(1);
      const { event, at } = mine[0]!;
      expect(specimenEventProblems(event), 'the event against schemas/events/parek-specimen-collected.asyncapi.yaml').toEqual([]);
      expect(event.ExternalRequisitionId, "ExternalRequisitionId is not the requisition's RequesterDefinedUuid").toBe(recorded.requesterUuid);
      // That SpecimenId is the FHIR Specimen.id is our reading of NHN's example: another id deviates.
      observe({ point: 'parek.event-specimen-id', variant: event.SpecimenId === recorded.specimenId ? 'base' : 'parek-event-specimen-id-own', expected: `SpecimenId ${recorded.specimenId}, the FHIR Specimen.id`, seen: `SpecimenId ${String(event.SpecimenId)}` });
      expect(event.EventType).toBe('SpecimenCollected');
      measure('SpecimenCollected delay (ms)', at - recorded.at, info);
    } finally {
      consumer.close();
    }
  });

  test('a released delivery comes back as the same event, never as a second one', { tag: ['@PAREK-EVENT-002'] }, async ({ api, profile }, info) => {
    const settings = settingsOf(profile);
    const consumer = await AmqpConsumer.open(settings, { credit: 1 });
    try {
      const recorded = await recordSpecimen(api('parek', 'dpop', { user: PAREK_USER }), profile.get(PAREK_SETTINGS.apiVersion)!, syntheticPatientNin(info));
      const mine = await eventsFor(consumer, recorded, recorded.at + profile.get(PAREK_SETTINGS.eventWithinMs), profile.get(PAREK_SETTINGS.eventQuietMs), (d, n) => (n === 1 ? d.release() : d.accept()));
      expect(mine.length, 'deliveries of the event: the first, and once more after release').toBe(2);
      expect(new Set(mine.map((m) => m.event.EventId)).size, 'the redelivery carried a new EventId: a second event').toBe(1);
    } finally {
      consumer.close();
    }
  });

  test('a modified delivery comes back as the same event, never as a second one', { tag: ['@PAREK-EVENT-002'] }, async ({ api, profile }, info) => {
    const settings = settingsOf(profile);
    const within = profile.get(PAREK_SETTINGS.eventWithinMs);
    const quiet = profile.get(PAREK_SETTINGS.eventQuietMs);
    let consumer = await AmqpConsumer.open(settings, { credit: 1 });
    try {
      const recorded = await recordSpecimen(api('parek', 'dpop', { user: PAREK_USER }), profile.get(PAREK_SETTINGS.apiVersion)!, syntheticPatientNin(info));
      const first = (await eventsFor(consumer, recorded, recorded.at + within, 0, (d) => d.modify()))[0];
      expect(first, `no event for the specimen within ${within} ms`).toBeDefined();
      let again: Array<{ event: Json }>;
      try {
        again = await eventsFor(consumer, recorded, Date.now() + within, quiet);
      } catch (e) {
        if (!(e instanceof InfrastructureError)) throw e;
        // RabbitMQ 3 closes the connection on the modified outcome; what was out comes back unsettled.
        should(false, `the broker refused the modified outcome (${e.message.slice(0, 160)}); the redelivery was checked on a new connection`);
        consumer.close();
        consumer = await AmqpConsumer.open(settings, { credit: 1 });
        again = await eventsFor(consumer, recorded, Date.now() + within, quiet);
      }
      expect(again.length, 'deliveries after the modified one').toBe(1);
      expect(again[0]!.event.EventId, 'the redelivery carried a new EventId: a second event').toBe(first!.event.EventId);
    } finally {
      consumer.close();
    }
  });

  test('only SASL PLAIN with the right password on the right virtual host: a wrong password, ANONYMOUS and another vhost are refused', { tag: ['@PAREK-EVENT-003'] }, async ({ profile }) => {
    const settings = settingsOf(profile);
    const refused = async (s: AmqpSettings, what: string, at?: 'sasl') => {
      const error = await AmqpConsumer.open({ ...s, timeoutMs: 5_000 }).then(
        (c) => (c.close(), undefined),
        (e: unknown) => e,
      );
      expect(error, `${what} was let in`).toBeInstanceOf(InfrastructureError);
      // Refused at authentication, not later (a link refused for want of a queue is not a SASL refusal).
      if (at) expect((error as InfrastructureError).symptom, `${what}: ${(error as Error).message}`).toBe(at);
    };
    await refused({ ...settings, password: `${settings.password}-wrong` }, 'a wrong password', 'sasl');
    await refused({ ...settings, username: 'anonymous', password: undefined }, 'SASL ANONYMOUS', 'sasl');
    await refused({ ...settings, vhost: 'nhn-suite-no-such-vhost' }, 'an unknown virtual host');
    // Positive control: the right credentials.
    (await AmqpConsumer.open(settings)).close();
  });

  test('only TLS 1.2 or later: a plain connection and TLS 1.1 are refused', { tag: ['@PAREK-EVENT-004'] }, async ({ profile }) => {
    const settings = settingsOf(profile);
    test.skip(!settings.url.startsWith('amqps:'), `the profile's broker is not TLS (${new URL(settings.url).protocol})`);
    for (const [what, s] of [
      ['a plain connection', { ...settings, plain: true }],
      ['TLS 1.1', { ...settings, tls: { minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' } }],
    ] as Array<[string, AmqpSettings]>) {
      const error = await AmqpConsumer.open({ ...s, timeoutMs: 5_000 }).then(
        (c) => (c.close(), undefined),
        (e: unknown) => e,
      );
      expect(error, `${what} was let in`).toBeInstanceOf(InfrastructureError);
    }
    // Positive control: TLS 1.2.
    (await AmqpConsumer.open({ ...settings, tls: { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' } })).close();
  });
});
