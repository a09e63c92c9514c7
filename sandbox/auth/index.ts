// The auth pack runs no service of its own: its faults break the shared resource-server checks.
import type { TwinModule } from '../core/module.ts';

export const twin: TwinModule = {};
