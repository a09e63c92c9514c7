// Where a unit test's own twin listens: a block per worker slot (so that two workers, or two
// repeats under --repeat-each, never start twins on the same ports), a slot per test file within
// it, apart from the suite's twin (4710), the kill matrix's (4800+) and the ops tests' (6100+).
const FIRST = 7000;
/** Ports a twin needs above its base (one per service, fixed offsets). */
const SPAN = 20;
const SLOTS = 2;

export function unitTwinPort(parallelIndex: number, slot: 0 | 1): number {
  return FIRST + parallelIndex * SPAN * SLOTS + slot * SPAN;
}
