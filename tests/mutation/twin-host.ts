// A warm twin host for one kill-matrix worker slot. A twin started cold costs about a second of
// imports and JIT; this process stays up for the whole run and re-plants its twin on request,
// which costs about a tenth of that. The slot's workers ask it over a control port:
//   POST /plant {"faults": [...], "twinEnv": {...}}  → 200 {"ms": n} once the new twin listens
// The host exits when its parent (the kill matrix's runner) goes away.
import fs from 'node:fs';
import http from 'node:http';
import { startTwin, type RunningTwin } from '../../sandbox/twin.ts';
import { slotLayout, type Planting } from './twin-hosts.ts';

async function main(): Promise<void> {
  const slot = Number(process.argv[2]);
  const { basePort, controlPort, stateDir } = slotLayout(slot);
  fs.mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  let twin: RunningTwin | undefined;
  let queue: Promise<unknown> = Promise.resolve();

  const plant = async (p: Planting) => {
    const started = performance.now();
    await twin?.close();
    twin = undefined;
    const env = { ...process.env, ...p.twinEnv, SANDBOX_PORT: String(basePort), SANDBOX_STATE_DIR: stateDir };
    twin = await startTwin({ basePort, faults: p.faults, env });
    return { ms: Math.round(performance.now() - started) };
  };

  const control = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const answer = (status: number, payload: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(payload));
      if (req.method !== 'POST' || req.url !== '/plant') return answer(404, { error: 'POST /plant only' });
      let planting: Planting;
      try {
        planting = JSON.parse(body) as Planting;
        if (!Array.isArray(planting.faults)) throw new Error('faults must be an array');
      } catch (e) {
        return answer(400, { error: (e as Error).message });
      }
      // One planting at a time: a slot has one worker, but never let two overlap.
      queue = queue.then(
        () => plant(planting).then((r) => answer(200, r), (e: Error) => answer(500, { error: e.message })),
      );
    });
  });

  const stop = async () => {
    control.close();
    await twin?.close().catch(() => undefined);
    fs.rmSync(stateDir, { recursive: true, force: true });
    process.exit(0);
  };
  process.on('disconnect', () => void stop());
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());

  await new Promise<void>((resolve, reject) => {
    control.once('error', reject);
    control.listen(controlPort, '127.0.0.1', () => resolve());
  });
  // Warm the imports and the JIT before the first fault arrives; the first planting queues behind.
  queue = plant({ faults: [] }).then(
    () => process.send?.({ ready: slot }),
    (e: Error) => {
      process.stderr.write(`twin host ${slot}: the clean twin failed to start: ${e.message}\n`);
      process.exit(1);
    },
  );
}

main().catch((e: Error & { code?: string }) => {
  process.stderr.write(`twin host ${process.argv[2]}: ${e.message}${e.code === 'EADDRINUSE' ? ' (another kill matrix running? set MUTATION_PORT to move this one)' : ''}\n`);
  process.exit(1);
});
