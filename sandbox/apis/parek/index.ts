// PaRek (Pasientens rekvisisjoner) twin: FHIR R5 ServiceRequest and Specimen on three hosts
// (DPoP, backdoor, resident Bearer) sharing one store, each with an unauthenticated metadata
// endpoint. Facts §3. Which host takes which auth mode comes from the pack; routes, required
// headers and claims from parek.openapi.yaml; the guide's rules are named checks (store.ts).
import type { PackContext, TwinModule } from '../../core/module.ts';
import { FHIR_JSON, operationOutcomeFormat } from '../../http/error-formats.ts';
import type { TwinRequest, TwinResponse } from '../../http/service.ts';
import { HELSEID_CLAIMS } from '../../../helpers/protocol.ts';
import { randomBytes, randomUUID } from 'node:crypto';
import selfsigned from 'selfsigned';
import { PAREK_AMQP_PORT } from '../../../helpers/packs/parek.ts';
import { SYNTHETIC_CLIENTS } from '../../helseid/clients.ts';
import { EmbeddedBroker, type BrokerUser } from './broker.ts';
import { outsideBroker, specimenCollected, type EventSink } from './events.ts';
import { ParekStore, requestIdOf, type Stored } from './store.ts';

/** The API version path segment; NHN's page names the pattern, not the value (an assumption). */
export const PAREK_API_VERSION = 'v1';

function capabilityStatement(req: TwinRequest, base: string): TwinResponse {
  return {
    status: 200,
    contentType: FHIR_JSON,
    body: {
      resourceType: 'CapabilityStatement',
      status: 'active',
      date: '2026-04-16',
      kind: 'instance',
      fhirVersion: '5.0.0',
      format: ['application/fhir+json'],
      implementation: { description: `PaRek twin (${req.service})`, url: `${base}/${PAREK_API_VERSION}` },
      rest: [
        {
          mode: 'server',
          resource: [
            { type: 'ServiceRequest', profile: 'http://hl7.no/fhir/ig/ParekIG/StructureDefinition/parek-service-request', interaction: [{ code: 'read' }, { code: 'create' }, { code: 'search-type' }] },
            { type: 'Specimen', profile: 'http://hl7.no/fhir/ig/ParekIG/StructureDefinition/parek-specimen', interaction: [{ code: 'read' }, { code: 'create' }, { code: 'search-type' }] },
          ],
        },
      ],
    },
  };
}

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** A token search value against one identifier: `value`, `system|value`, `|value` or `system|`. */
function tokenHolds(term: string, id: { system?: string; value?: string } | undefined): boolean {
  if (!id) return false;
  return term.split(',').some((t) => {
    const bar = t.indexOf('|');
    if (bar < 0) return id.value === t;
    const [system, value] = [t.slice(0, bar), t.slice(bar + 1)];
    return (system === '' ? !id.system : id.system === system) && (value === '' || id.value === value);
  });
}

function api(ctx: PackContext) {
  const errors = operationOutcomeFormat();
  const on = (rule: string) => ctx.checks.on(rule, 'parek');
  const store = new ParekStore(ctx.checks);
  /** The organisation that made each requisition: its events go to that organisation's queue. */
  const owners = new Map<string, string>();
  const queueOf = (org: string) => `specimen-events-${org}`;
  let sink: EventSink | undefined;
  const delayMs = () => (on('parek.event.prompt') ? 0 : 20_000);
  const base = (req: TwinRequest) => ctx.urls[req.service]!;
  const versioned = (handler: (req: TwinRequest) => TwinResponse | Promise<TwinResponse>) => (req: TwinRequest) =>
    req.params.version === PAREK_API_VERSION ? handler(req) : errors.render(404, 'not-found', `this twin serves API version ${PAREK_API_VERSION}, not ${req.params.version}`);
  const refuse = (status: number, code: 'forbidden' | 'not-found' | 'invalid' | 'processing', message: string, rule: string) => errors.render(status, code, `${message} [${rule}]`);

  /** Who may do what on each host: the DPoP host wants a user at level 4; the resident host reads its citizen's own data. */
  function access(req: TwinRequest, write: boolean): TwinResponse | undefined {
    if (req.service === 'parek' && on('parek.user.security-level') && String(req.token[HELSEID_CLAIMS.securityLevel] ?? '') !== '4') {
      return refuse(403, 'forbidden', 'PaRek needs a user logged in at security level 4', 'parek.user.security-level');
    }
    if (req.service === 'parekResident' && write && on('parek.resident.read-only')) return refuse(403, 'forbidden', 'the resident host reads; requisitions and specimens are written by professionals', 'parek.resident.read-only');
    return undefined;
  }

  /** On the resident host a citizen sees only what is about them (the token's pid). */
  const visible = (req: TwinRequest) => (r: Json) => req.service !== 'parekResident' || !on('parek.resident.own') || r.subject?.identifier?.value === req.token[HELSEID_CLAIMS.pid];

  /** The posted resource. The HTTP layer has checked it against the document; a fault may have turned that off. */
  const parse = (req: TwinRequest, type: string): { resource: Json } | { refusal: TwinResponse } => {
    let body: unknown;
    try {
      body = JSON.parse(req.body.toString('utf8'));
    } catch {
      return { refusal: refuse(400, 'invalid', 'the body is not JSON', 'parek.body') };
    }
    if (!body || typeof body !== 'object' || (body as Json).resourceType !== type) return { refusal: refuse(400, 'invalid', `the body must be a ${type}`, 'parek.body') };
    return { resource: body as Json };
  };

  const location = (req: TwinRequest, type: string, stored: Stored) => `${base(req)}/${PAREK_API_VERSION}/${type}/${stored.id}/_history/${String(stored.resource.meta.versionId)}`;

  function create(type: 'ServiceRequest' | 'Specimen') {
    return versioned(async (req) => {
      const denied = access(req, true);
      if (denied) return denied;
      const parsed = parse(req, type);
      if ('refusal' in parsed) return parsed.refusal;
      const { id: _ignored, meta: _meta, ...resource } = parsed.resource;
      const result = type === 'ServiceRequest' ? await store.createRequisition(resource) : await store.createSpecimen(resource);
      if ('refused' in result) return errors.render(result.refused.details.status, 'processing', `${result.refused.details.description} [${result.refused.check}]`);
      if (type === 'ServiceRequest' && result.created) owners.set(result.stored.id, organisationOf(req));
      if (type === 'Specimen' && result.created) announce(result.stored.resource);
      const headers = { location: location(req, type, result.stored), etag: `W/"${String(result.stored.resource.meta.versionId)}"` };
      // A repeated RequesterDefinedUuid creates nothing: 200 with the requisition it made the first time.
      return { status: result.created ? 201 : 200, contentType: FHIR_JSON, headers, body: result.stored.resource };
    });
  }

  /** The calling organisation: the token's orgnr_parent, or the backdoor's X-Nilar-Organisation. */
  function organisationOf(req: TwinRequest): string {
    const header = req.headers['x-nilar-organisation'];
    return String(req.token[HELSEID_CLAIMS.orgnrParent] ?? (Array.isArray(header) ? header[0] : header) ?? 'unknown');
  }

  /** One SpecimenCollected event per recorded specimen, to the requester's queue (facts §3.5). */
  function announce(specimen: Record<string, unknown>): void {
    if (!sink || !on('parek.event.publish')) return;
    const requestId = requestIdOf(specimen);
    const requisition = requestId ? store.requisition(requestId) : undefined;
    if (!requestId || !requisition) return;
    const body = JSON.stringify(specimenCollected(requisition.resource, specimen, on));
    const queue = queueOf(owners.get(requestId) ?? 'unknown');
    const send = () => {
      sink?.publish(queue, body);
      if (!on('parek.event.once')) sink?.publish(queue, JSON.stringify({ ...JSON.parse(body), EventId: randomUUID() }));
    };
    if (delayMs()) setTimeout(send, delayMs()).unref();
    else send();
  }

  /** The embedded AMQP endpoint (or a publisher to an outside broker), once the HTTP services listen. */
  async function start(o: { host: string; basePort: number }) {
    const outside = outsideBroker(ctx.env);
    if (outside) {
      sink = outside;
      return { banner: ['PaRek events         published to the broker in SANDBOX_PAREK_AMQP_URL'], close: () => outside.close() };
    }
    const port = o.basePort + PAREK_AMQP_PORT;
    const pems = await selfsigned.generate([{ name: 'commonName', value: o.host }], {
      keyType: 'ec',
      curve: 'P-256',
      notAfterDate: new Date(Date.now() + 30 * 86_400_000),
      extensions: [{ name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: o.host }] }],
    });
    const accounts = Object.fromEntries(
      SYNTHETIC_CLIENTS.filter((c) => c.claims[HELSEID_CLAIMS.orgnrParent]).map((c) => [
        c.clientId,
        { username: `requester-${c.claims[HELSEID_CLAIMS.orgnrParent]}`, password: randomBytes(18).toString('base64url'), queue: queueOf(c.claims[HELSEID_CLAIMS.orgnrParent]!) },
      ]),
    );
    const users = new Map<string, BrokerUser>(Object.values(accounts).map((a) => [a.username, { password: a.password, queue: a.queue }]));
    const broker = new EmbeddedBroker({ host: o.host, port, tls: { key: pems.private, cert: pems.cert }, users, checks: ctx.checks, vhost: 'external' });
    await broker.listen();
    sink = { publish: (queue, body) => broker.publish(queue, body), close: () => broker.close() };
    const url = `amqps://${o.host}:${port}`;
    return {
      state: { amqp: { url, vhost: 'external', ca: pems.cert, accounts: Object.fromEntries(Object.entries(accounts).map(([id, a]) => [id, { username: a.username, password: a.password, address: `/queues/${a.queue}` }])) } },
      banner: [`PaRek events (AMQP)  ${url}    (suite: NHN_PAREK_AMQP_URL; vhost external, SASL PLAIN, TLS)`],
      close: () => broker.close(),
    };
  }

  function read(type: 'ServiceRequest' | 'Specimen') {
    return versioned((req) => {
      const denied = access(req, false);
      if (denied) return denied;
      const stored = type === 'ServiceRequest' ? store.requisition(req.params.id!) : store.specimen(req.params.id!);
      if (!stored || !visible(req)(stored.resource)) return refuse(404, 'not-found', `no ${type} ${req.params.id}`, 'parek.read.found');
      return { status: 200, contentType: FHIR_JSON, headers: { etag: `W/"${String(stored.resource.meta.versionId)}"` }, body: stored.resource };
    });
  }

  /** The search parameters each type takes: what a requester, a collector and a citizen need. */
  const FILTERS: Record<'ServiceRequest' | 'Specimen', Record<string, (r: Json, value: string) => boolean>> = {
    ServiceRequest: {
      identifier: (r, v) => on('parek.search.identifier') ? ((r.identifier ?? []) as Json[]).some((i) => tokenHolds(v, i)) : true,
      status: (r, v) => on('parek.search.status') ? v.split(',').includes(String(r.status)) : true,
      'patient:identifier': (r, v) => on('parek.search.patient') ? tokenHolds(v, r.subject?.identifier) : true,
      'subject:identifier': (r, v) => on('parek.search.patient') ? tokenHolds(v, r.subject?.identifier) : true,
    },
    Specimen: {
      identifier: (r, v) => ((r.identifier ?? []) as Json[]).some((i) => tokenHolds(v, i)),
      request: (r, v) => on('parek.search.request') ? v.split(',').some((x) => [r.request].flat()[0]?.reference === (x.includes('/') ? x : `ServiceRequest/${x}`)) : true,
      'patient:identifier': (r, v) => on('parek.search.patient') ? tokenHolds(v, r.subject?.identifier) : true,
      'subject:identifier': (r, v) => on('parek.search.patient') ? tokenHolds(v, r.subject?.identifier) : true,
    },
  };

  function search(type: 'ServiceRequest' | 'Specimen') {
    return versioned((req) => {
      const denied = access(req, false);
      if (denied) return denied;
      const filters = FILTERS[type];
      const count = Math.min(100, Math.max(1, Number(req.query.get('_count') ?? 50) || 50));
      const unknown = [...req.query.keys()].filter((k) => !(k in filters) && k !== '_count');
      if (unknown.length && on('parek.search.unknown')) return refuse(400, 'invalid', `unknown search parameter(s): ${unknown.join(', ')}; known: ${Object.keys(filters).join(', ')}, _count`, 'parek.search.unknown');
      const all = (type === 'ServiceRequest' ? store.allRequisitions() : store.allSpecimens()).map((s) => s.resource).filter(visible(req));
      // An unknown parameter reaching this far is ignored (FHIR's lenient handling, a dialect).
      const hits = all.filter((r) => [...req.query].every(([k, v]) => k === '_count' || !(k in filters) || filters[k]!(r, v)));
      hits.sort((a, b) => String(b.meta.lastUpdated).localeCompare(String(a.meta.lastUpdated)) || String(a.id).localeCompare(String(b.id)));
      const self = new URL(`${base(req)}/${PAREK_API_VERSION}/${type}`);
      for (const [k, v] of req.query) self.searchParams.append(k, v);
      return {
        status: 200,
        contentType: FHIR_JSON,
        body: {
          resourceType: 'Bundle',
          type: 'searchset',
          total: hits.length,
          link: [{ relation: 'self', url: self.href }],
          entry: hits.slice(0, count).map((r) => ({ fullUrl: `${base(req)}/${PAREK_API_VERSION}/${type}/${String(r.id)}`, resource: r, search: { mode: 'match' } })),
        },
      };
    });
  }

  return {
    errors,
    start,
    digest: () => ({ requisitions: store.allRequisitions(), specimens: store.allSpecimens(), owners: [...owners] }),
    handlers: {
      capabilities: versioned((req) => capabilityStatement(req, base(req))),
      createServiceRequest: create('ServiceRequest'),
      readServiceRequest: read('ServiceRequest'),
      searchServiceRequests: search('ServiceRequest'),
      createSpecimen: create('Specimen'),
      readSpecimen: read('Specimen'),
      searchSpecimens: search('Specimen'),
    },
  };
}

export const twin: TwinModule = { api };
