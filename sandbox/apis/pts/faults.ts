import type { FaultDefinition } from '../../core/faults.ts';

export const faults = {} satisfies Record<string, FaultDefinition>;
