// Named checks: every rule a twin layer enforces is a small unit named after that rule
// (`dpop.htu`, `token.aud`, `assertion.exp`, …), run in order by a stage. Faults switch checks
// off, replace them or add to a stage by name; the layers never know a fault id. A refusal says
// which check refused, so a failing request names its rule.

export type ChallengeError = 'invalid_request' | 'invalid_token' | 'invalid_dpop_proof' | 'use_dpop_nonce' | 'insufficient_scope';

export interface RefusalDetails {
  status: number;
  error?: ChallengeError | string;
  description: string;
  /** 403s for a missing claim carry no challenge: a new token would not help. */
  challenge?: boolean;
  nonce?: string;
}

/** A check's verdict against a request: the named rule refused it. */
export class Refusal extends Error {
  constructor(
    readonly check: string,
    readonly details: RefusalDetails,
  ) {
    super(`${details.description} [${check}]`);
  }
}

export type CheckRun<C> = (ctx: C) => void | Promise<void>;

export interface Check<C> {
  name: string;
  run: CheckRun<C>;
}

/** Declares a check; `refuse` inside it throws a Refusal naming the check. */
export function check<C>(name: string, run: (ctx: C, refuse: (details: RefusalDetails) => never) => void | Promise<void>): Check<C> {
  const refuse = (details: RefusalDetails): never => {
    throw new Refusal(name, details);
  };
  return { name, run: (ctx) => run(ctx, refuse) };
}

/** How a fault changes the checks: by name, optionally scoped to a service as `service/name`. */
export interface CheckChanges {
  off?: readonly string[];
  replace?: Readonly<Record<string, (base: CheckRun<any>) => CheckRun<any>>>; // eslint-disable-line @typescript-eslint/no-explicit-any
  add?: ReadonlyArray<{ stage: string; check: () => Check<any> }>; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** The checks of one running twin: which are on, and what replaces or joins them. */
export class CheckSet {
  private readonly disabled = new Set<string>();
  private readonly replacements = new Map<string, (base: CheckRun<unknown>) => CheckRun<unknown>>();
  private readonly replaced = new Map<string, CheckRun<unknown>>();
  private readonly additions = new Map<string, Check<unknown>[]>();

  constructor(changes: readonly CheckChanges[] = []) {
    for (const c of changes) {
      for (const name of c.off ?? []) this.disabled.add(name);
      for (const [name, factory] of Object.entries(c.replace ?? {})) this.replacements.set(name, factory);
      for (const a of c.add ?? []) this.additions.set(a.stage, [...(this.additions.get(a.stage) ?? []), a.check()]);
    }
  }

  /** Whether a rule is enforced, for the service given (a `service/name` entry switches it off there only). */
  on(name: string, service?: string): boolean {
    return !this.disabled.has(name) && !(service !== undefined && this.disabled.has(`${service}/${name}`));
  }

  /** Runs a stage's checks in order; the first that refuses throws its Refusal. */
  async run<C>(stage: string, checks: ReadonlyArray<Check<C>>, ctx: C, service?: string): Promise<void> {
    for (const c of [...checks, ...((this.additions.get(stage) ?? []) as Check<C>[])]) {
      if (!this.on(c.name, service)) continue;
      await this.implementation(c)(ctx);
    }
  }

  private implementation<C>(c: Check<C>): CheckRun<C> {
    const factory = this.replacements.get(c.name);
    if (!factory) return c.run;
    let run = this.replaced.get(c.name);
    if (!run) this.replaced.set(c.name, (run = factory(c.run as CheckRun<unknown>)));
    return run as CheckRun<C>;
  }
}
