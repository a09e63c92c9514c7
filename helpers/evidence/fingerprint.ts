// A fingerprint of the environment a run talked to: the TLS certificate chain of every host, and
// hashes of what the environment publishes (HelseID discovery and its JWKS, each FHIR
// CapabilityStatement the documents describe). It binds an evidence bundle to the environment, and
// lets a reader see that two runs met the same one. Nothing here fails a run: what cannot be
// fetched is recorded with the reason.
import { createHash } from 'node:crypto';
import tls from 'node:tls';
import { SERVICES, type ServiceName } from '../packs/index.ts';
import type { Profile } from '../config/profiles.ts';
import { send } from '../http/client.ts';
import { loadApiDocument } from '../validation/openapi/document.ts';

const TIMEOUT_MS = 5_000;

export interface Certificate {
  subject: string;
  issuer: string;
  validFrom: string;
  validTo: string;
  sha256: string;
}

export interface HostFingerprint {
  origin: string;
  tls: { authorized: boolean; authorizationError?: string; protocol?: string | null; chain: Certificate[] } | { plain: true } | { error: string };
}

export interface PublishedDocument {
  what: string;
  url: string;
  sha256?: string;
  status?: number;
  error?: string;
  /** Non-secret facts worth reading without the document: key ids and algorithms, FHIR version. */
  facts?: Record<string, unknown>;
}

export interface EnvironmentFingerprint {
  profile: string;
  takenAt: string;
  hosts: HostFingerprint[];
  documents: PublishedDocument[];
}

const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

function certificateChain(origin: URL): Promise<HostFingerprint['tls']> {
  return new Promise((resolve) => {
    const socket = tls.connect({ host: origin.hostname, port: Number(origin.port || 443), servername: origin.hostname, rejectUnauthorized: false, timeout: TIMEOUT_MS }, () => {
      const chain: Certificate[] = [];
      const seen = new Set<string>();
      let cert: tls.DetailedPeerCertificate | undefined = socket.getPeerCertificate(true);
      while (cert && cert.raw && !seen.has(cert.fingerprint256)) {
        seen.add(cert.fingerprint256);
        chain.push({ subject: [cert.subject?.CN].flat().join(','), issuer: [cert.issuer?.CN].flat().join(','), validFrom: cert.valid_from, validTo: cert.valid_to, sha256: cert.fingerprint256 });
        cert = cert.issuerCertificate;
      }
      resolve({ authorized: socket.authorized, authorizationError: socket.authorizationError ? String(socket.authorizationError) : undefined, protocol: socket.getProtocol(), chain });
      socket.end();
    });
    socket.on('timeout', () => {
      socket.destroy();
      resolve({ error: `no TLS handshake within ${TIMEOUT_MS} ms` });
    });
    socket.on('error', (e) => resolve({ error: e.message }));
  });
}

/** A published document's hash and facts; the parsed JSON too, for the caller that follows a link in it. */
async function fetchDocument(what: string, url: string, facts: (json: Record<string, unknown>) => Record<string, unknown>): Promise<PublishedDocument & { json?: Record<string, unknown> }> {
  try {
    const response = await send({ method: 'GET', url, headers: { accept: 'application/json, application/fhir+json' }, timeoutMs: TIMEOUT_MS, inspectTls: true });
    const out: PublishedDocument & { json?: Record<string, unknown> } = { what, url, status: response.status, sha256: sha256(response.body) };
    try {
      out.json = JSON.parse(response.text()) as Record<string, unknown>;
      out.facts = facts(out.json);
    } catch {
      // not JSON: the hash says enough
    }
    return out;
  } catch (e) {
    return { what, url, error: (e as Error).message };
  }
}

/** The unauthenticated metadata operations our documents describe for a service, with their path filled in. */
function capabilityPaths(service: ServiceName): string[] {
  const paths: string[] = [];
  for (const document of SERVICES[service].documents ?? []) {
    for (const op of loadApiDocument(document).operations) {
      if (op.method !== 'GET' || !/\/metadata$/.test(op.path) || op.security.length !== 0 || op.raw.security === undefined) continue;
      const filled = op.path.replace(/\{([^}]+)\}/g, (_m, name: string) => {
        const schema = op.parameters.find((p) => p.in === 'path' && p.name === name)?.schema ?? {};
        return String(schema.default ?? schema.enum?.[0] ?? schema.example ?? name);
      });
      paths.push(filled);
    }
  }
  return paths;
}

export async function fingerprintEnvironment(profile: Profile): Promise<EnvironmentFingerprint> {
  const urls = Object.entries(profile.urls) as Array<[ServiceName, string]>;
  const origins = [...new Set(urls.map(([, u]) => new URL(u).origin))].sort();
  const hosts = await Promise.all(origins.map(async (origin): Promise<HostFingerprint> => {
    const url = new URL(origin);
    return { origin, tls: url.protocol === 'https:' ? await certificateChain(url) : { plain: true } };
  }));
  const documents: PublishedDocument[] = [];
  if (profile.urls.helseid) {
    const discovery = await fetchDocument('HelseID discovery', `${profile.urls.helseid}/.well-known/openid-configuration`, (j) => ({ issuer: j.issuer, jwks_uri: j.jwks_uri }));
    const { json, ...published } = discovery;
    documents.push(published);
    const jwksUri = typeof json?.jwks_uri === 'string' ? json.jwks_uri : undefined;
    if (jwksUri) {
      const { json: _jwks, ...keys } = await fetchDocument('HelseID JWKS', jwksUri, (j) => ({ keys: ((j.keys ?? []) as Array<Record<string, unknown>>).map((k) => ({ kid: k.kid, alg: k.alg, kty: k.kty, use: k.use })) }));
      documents.push(keys);
    }
  }
  for (const [service, base] of urls) {
    for (const p of capabilityPaths(service)) {
      const { json: _capability, ...capability } = await fetchDocument(`${SERVICES[service].title} CapabilityStatement`, `${base}${p}`, (j) => ({ resourceType: j.resourceType, fhirVersion: j.fhirVersion, software: (j.software as { name?: string; version?: string } | undefined) ?? null }));
      documents.push(capability);
    }
  }
  return { profile: profile.name, takenAt: new Date().toISOString(), hosts, documents };
}
