// HelseID's test-token service answers {isError, successResponse: {accessTokenJwt, dPoPProof},
// errorResponse: {errorMessage}} (facts §2.9). One reading of it, for the token client and the specs.

export interface TestTokenAnswer {
  /** The access token, when the service issued one. */
  token?: string;
  /** Why not, in the service's words (or the HTTP status). */
  error?: string;
}

export function readTestTokenAnswer(status: number, text: string): TestTokenAnswer {
  let parsed: { successResponse?: { accessTokenJwt?: unknown }; errorResponse?: { errorMessage?: unknown } } = {};
  try {
    parsed = JSON.parse(text) as typeof parsed;
  } catch {
    // Not JSON: the status says it.
  }
  const token = parsed?.successResponse?.accessTokenJwt;
  if (status === 200 && typeof token === 'string' && token) return { token };
  const message = parsed?.errorResponse?.errorMessage;
  return { error: typeof message === 'string' && message ? message : `HTTP ${status}, no token` };
}
