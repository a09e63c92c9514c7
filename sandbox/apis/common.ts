// What every twin API module gets, and the answer for documented operations whose behaviour
// arrives with the API's pack: the route, its auth and its input checks exist from day one.
import type { ValidationIssue } from '../../helpers/validation/issues.ts';
import type { Faults } from '../faults.ts';
import type { ErrorFormat } from '../http/error-formats.ts';
import type { Route, TwinResponse } from '../http/service.ts';

export interface ApiContext {
  faults: Faults;
  errors: ErrorFormat;
  publicUrl: string;
}

export interface ApiModule {
  name: string;
  errors: ErrorFormat;
  routes: Route[];
  /** The OpenAPI documents (schemas/openapi) incoming requests are validated against. */
  documents: string[];
  /** Fault planting: OpenAPI issues the module lets through because a fault switches that rule off. */
  tolerate?: (issue: ValidationIssue) => boolean;
  maxBodyBytes?: number;
}

export function notYetImplemented(errors: ErrorFormat, what: string): () => TwinResponse {
  return () => errors.render(501, 'not-supported', `${what} is not implemented in the twin yet`);
}

export const FHIR_JSON_TYPES = ['application/fhir+json', 'application/json'];
export const FORM_TYPES = ['application/x-www-form-urlencoded'];
