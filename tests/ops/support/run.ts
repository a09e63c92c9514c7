// Runs a command for an operations test and answers its exit code and output; a bound on time,
// so a hung child fails the test with what it printed instead of hanging the phase.
import { spawn } from 'node:child_process';

export interface Ran {
  code: number | null;
  out: string;
  ms: number;
}

export function run(command: string, args: readonly string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 120_000): Promise<Ran> {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(command, args, { env: { ...process.env, NHN_PROFILE: '', NHN_SHARD: '', NHN_RUN_ID: '', NHN_REPORT_ROOT: '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => {
      out += `\n[ops] killed after ${timeoutMs} ms`;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, out, ms: Math.round(performance.now() - started) });
    });
  });
}

/** A base port for a twin of this test's own, apart from the suite's (4710) and the kill matrix's. */
export function opsPort(parallelIndex: number, slot = 0): number {
  return 6100 + parallelIndex * 100 + slot * 20;
}
