// PaRek's backdoor (test only): no HelseID, identity from plain headers (facts §3.4). Results
// obtained this way are labelled in every report and never count as certification evidence.
import { randomUUID } from 'node:crypto';

export interface BackdoorIdentity {
  /** Organisation number of the requesting party. */
  organisation: string;
  requesterHpr?: string;
  /** National identity number of the requester; synthetic only. */
  requesterPublicId?: string;
  sourceSystem?: string;
  eventId?: string;
}

export function backdoorHeaders(identity: BackdoorIdentity): Record<string, string> {
  if (!identity.requesterHpr && !identity.requesterPublicId) {
    throw new Error('a backdoor request needs X-Nilar-Requester-Hpr or X-Nilar-Requester-Public-Id');
  }
  const eventId = identity.eventId ?? randomUUID();
  const headers: Record<string, string> = {
    'nhn-source-system': identity.sourceSystem ?? 'nhn-conformance-suite',
    'nhn-event-id': eventId,
    'Correlation-Id': eventId,
    'X-Nilar-Organisation': identity.organisation,
  };
  if (identity.requesterHpr) headers['X-Nilar-Requester-Hpr'] = identity.requesterHpr;
  if (identity.requesterPublicId) headers['X-Nilar-Requester-Public-Id'] = identity.requesterPublicId;
  return headers;
}
