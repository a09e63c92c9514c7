// A last line of defence behind redaction: scans a run's reports for anything that looks like a
// token, a proof or private key material. Text files only; finds are reported by place, never
// by value.
import fs from 'node:fs';
import path from 'node:path';

const PATTERNS: Array<[string, RegExp]> = [
  ['a compact JWT (token, proof or assertion)', /eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/],
  ['a PEM private key', /-----BEGIN [A-Z ]*PRIVATE KEY-----/],
  ['a private JWK member', /"(d|p|q|dp|dq|qi)"\s*:\s*"[A-Za-z0-9_-]{20,}"/],
];
const TEXT = /\.(json|jsonl|xml|txt|md|log|csv|yaml|yml)$/i;

export interface SecretFind {
  file: string;
  line: number;
  what: string;
}

export function scanForSecrets(dir: string, extraSecrets: string[] = []): SecretFind[] {
  const finds: SecretFind[] = [];
  const walk = (d: string) => {
    if (!fs.existsSync(d)) return;
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (TEXT.test(entry.name) || !path.extname(entry.name)) {
        const text = fs.readFileSync(full, 'utf8');
        text.split('\n').forEach((line, i) => {
          for (const [what, re] of PATTERNS) if (re.test(line)) finds.push({ file: full, line: i + 1, what });
          for (const s of extraSecrets) if (s && line.includes(s)) finds.push({ file: full, line: i + 1, what: 'a known secret of this run' });
        });
      }
    }
  };
  walk(dir);
  return finds;
}
