// `npm run test:broker`: the PaRek event specs against a real RabbitMQ. It starts Debian's
// RabbitMQ without systemd in a temporary folder (TLS 1.2+ on 5671 with a CA made here, AMQP 1.0,
// SASL PLAIN enforced, a vhost `external`), has the twin publish its events there, runs the same
// specs the embedded endpoint passes, prints what it measured and stops the broker again.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import selfsigned from 'selfsigned';

const run = promisify(execFile);
const RABBIT = '/usr/lib/rabbitmq/bin';
const PORT = Number(process.env.BROKER_TLS_PORT ?? 5671);
const NODE = `nhn-suite@localhost`;
const QUEUE = '/queue/specimen-events';
const say = (line: string) => process.stdout.write(`[test:broker] ${line}\n`);

if (process.argv.includes('--help') || process.argv.includes('-h')) {
  process.stdout.write(
    'usage: npm run test:broker\n' +
      "  Starts Debian's RabbitMQ without systemd in a temporary folder (TLS 1.2+ on 5671 with a CA made here, AMQP 1.0,\n" +
      '  SASL PLAIN, vhost external), has the twin publish PaRek events there and runs specs/parek/events.spec.ts\n' +
      '  against it; then stops it. Needs rabbitmq-server (apt-get install rabbitmq-server). BROKER_TLS_PORT moves it.\n',
  );
  process.exit(0);
}

if (!fs.existsSync(`${RABBIT}/rabbitmq-server`)) {
  process.stderr.write('[test:broker] RabbitMQ is not installed: apt-get install rabbitmq-server (Debian), then run this again.\n');
  process.exit(2);
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nhn-rabbit-'));
const started = performance.now();

// A CA, and the broker's certificate signed by it (RSA: Erlang's TLS reads its PKCS#8 keys; it
// refuses the handshake with a PKCS#8 EC key).
const ca = await selfsigned.generate([{ name: 'commonName', value: 'NHN suite test CA' }], {
  keyType: 'rsa',
  keySize: 2048,
  extensions: [{ name: 'basicConstraints', cA: true, critical: true }, { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true }],
});
const server = await selfsigned.generate([{ name: 'commonName', value: 'localhost' }], {
  keyType: 'rsa',
  keySize: 2048,
  ca: { key: ca.private, cert: ca.cert },
  extensions: [{ name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }] }],
});
const file = (name: string, content: string) => {
  const p = path.join(dir, name);
  fs.writeFileSync(p, content, { mode: 0o600 });
  return p;
};
const caFile = file('ca.pem', ca.cert);
file('server.pem', server.cert);
file('server-key.pem', server.private);
file(
  'rabbitmq.conf',
  [
    'listeners.tcp = none',
    `listeners.ssl.default = ${PORT}`,
    `ssl_options.cacertfile = ${path.join(dir, 'ca.pem')}`,
    `ssl_options.certfile = ${path.join(dir, 'server.pem')}`,
    `ssl_options.keyfile = ${path.join(dir, 'server-key.pem')}`,
    'ssl_options.versions.1 = tlsv1.3',
    'ssl_options.versions.2 = tlsv1.2',
    'ssl_options.verify = verify_none',
    'ssl_options.fail_if_no_peer_cert = false',
    // No anonymous AMQP 1.0 user: SASL PLAIN with a real user, or nothing.
    'amqp1_0.default_user = none',
    'amqp1_0.default_vhost = external',
    'loopback_users = none',
    'log.console = false',
    `log.file = ${path.join(dir, 'rabbit.log')}`,
    '',
  ].join('\n'),
);
file('enabled_plugins', '[rabbitmq_amqp1_0].\n');

const env = {
  ...process.env,
  HOME: dir,
  RABBITMQ_NODENAME: NODE,
  RABBITMQ_CONFIG_FILE: path.join(dir, 'rabbitmq'),
  RABBITMQ_ENABLED_PLUGINS_FILE: path.join(dir, 'enabled_plugins'),
  RABBITMQ_MNESIA_BASE: path.join(dir, 'mnesia'),
  RABBITMQ_LOG_BASE: dir,
  RABBITMQ_PID_FILE: path.join(dir, 'rabbit.pid'),
  RABBITMQ_DIST_PORT: String(PORT + 20_000),
};
const ctl = (...args: string[]) => run(`${RABBIT}/rabbitmqctl`, ['-n', NODE, ...args], { env, timeout: 60_000 });

let broker: ChildProcess | undefined;
let code = 1;
try {
  say(`starting RabbitMQ in ${dir} (TLS on ${PORT}, AMQP 1.0, SASL PLAIN, vhost external)`);
  broker = spawn(`${RABBIT}/rabbitmq-server`, [], { env, stdio: ['ignore', 'pipe', 'pipe'], detached: false });
  let output = '';
  broker.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  broker.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  broker.once('exit', (status) => status && say(`RabbitMQ exited with ${status}: ${output.slice(-800)}`));
  // The node registers with epmd a few seconds after the process starts; until then the CLI says "not running".
  let exited = false;
  broker.once('exit', () => (exited = true));
  for (let tries = 0; ; tries++) {
    if (exited) throw new Error(`RabbitMQ stopped while starting: ${output.slice(-1_500)}`);
    try {
      await ctl('await_startup', '--timeout', '60');
      break;
    } catch (e) {
      if (tries > 120) throw e;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  say(`RabbitMQ ready in ${((performance.now() - started) / 1000).toFixed(1)} s`);

  const password = () => randomBytes(18).toString('base64url');
  const suite = { user: 'requester-suite', password: password() };
  const twin = { user: 'parek-twin', password: password() };
  await ctl('add_vhost', 'external');
  for (const u of [suite, twin]) {
    await ctl('add_user', u.user, u.password);
    await ctl('set_permissions', '-p', 'external', u.user, '.*', '.*', '.*');
  }

  const specs = spawn('npx', ['playwright', 'test', 'specs/parek/events.spec.ts'], {
    stdio: 'inherit',
    env: {
      ...process.env,
      NHN_PROFILE: 'local',
      SANDBOX_PORT: process.env.SANDBOX_PORT ?? '4910',
      NHN_REPORT_DIR: process.env.NHN_REPORT_DIR ?? 'reports/broker',
      SANDBOX_PAREK_AMQP_URL: `amqps://localhost:${PORT}`,
      SANDBOX_PAREK_AMQP_USERNAME: twin.user,
      SANDBOX_PAREK_AMQP_PASSWORD: twin.password,
      SANDBOX_PAREK_AMQP_ADDRESS: QUEUE,
      SANDBOX_PAREK_AMQP_CA_FILE: caFile,
      NHN_PAREK_AMQP_URL: `amqps://localhost:${PORT}`,
      NHN_PAREK_AMQP_USERNAME: suite.user,
      NHN_PAREK_AMQP_PASSWORD: suite.password,
      NHN_PAREK_AMQP_QUEUE: QUEUE,
      NHN_PAREK_AMQP_CA_FILE: caFile,
      NHN_PAREK_EVENT_WITHIN_MS: process.env.NHN_PAREK_EVENT_WITHIN_MS ?? '10000',
    },
  });
  code = await new Promise<number>((resolve) => specs.once('exit', (c) => resolve(c ?? 1)));
  const summary = path.join(process.env.NHN_REPORT_DIR ?? 'reports/broker', 'summary.json');
  if (fs.existsSync(summary)) {
    const s = JSON.parse(fs.readFileSync(summary, 'utf8')) as { measurements?: Array<Record<string, unknown>> };
    for (const m of s.measurements ?? []) for (const [k, v] of Object.entries(m)) if (/delay/i.test(k)) say(`RabbitMQ ${k}: ${String(v)}`);
  }
} catch (e) {
  const err = e as Error & { stderr?: string; stdout?: string };
  say(`failed: ${err.message.split('\n')[0]}\n${(err.stderr ?? '').slice(-1_500)}${(err.stdout ?? '').slice(-500)}`);
  const log = path.join(dir, 'rabbit.log');
  if (fs.existsSync(log)) process.stderr.write(fs.readFileSync(log, 'utf8').slice(-2_000));
} finally {
  await ctl('stop').catch(() => broker?.kill('SIGTERM'));
  // epmd outlives the broker; stop it by its PID.
  await run('pkill', ['-x', 'epmd']).catch(() => undefined);
  fs.rmSync(dir, { recursive: true, force: true });
  say(`done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}
process.exit(code);
