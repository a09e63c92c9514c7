// What Allure shows of a test, derived from the requirement catalogue (never written in specs):
// the epic is the API, the feature the requirement group (PIT-PAGE of PIT-PAGE-003), the story the
// requirement, the severity its level (MUST critical, SHOULD normal, MAY minor), a link to every
// RFC section its source cites, and, once the test has ended, its failure class, which the
// report's categories (helpers/cli/allurerc.mjs) sort failures by.
import type { TestInfo } from '@playwright/test';
import type { RuntimeMetadataMessage } from 'allure-js-commons/sdk';
import { ALLURE_RUNTIME_MESSAGE_CONTENT_TYPE } from 'allure-js-commons/sdk/reporter';
import type { Requirement } from '../requirements/catalogue.ts';
import { pack } from '../packs/index.ts';

export interface AllureLabel {
  name: string;
  value: string;
}

export interface AllureLink {
  url: string;
  name: string;
  type?: string;
}

/** Catalogue files that are not one pack's API. */
const EPICS: Record<string, string> = { dpop: 'DPoP (RFC 9449)', nhn: 'NHN common rules', client: 'Client conformance' };

const SEVERITY: Record<string, string> = { MUST: 'critical', SHOULD: 'normal', MAY: 'minor' };
const RANK = ['blocker', 'critical', 'normal', 'minor', 'trivial'];

/** The label a failure class travels in, for the categories to match. */
export const FAILURE_CLASS_LABEL = 'failureClass';

export const requirementGroup = (id: string) => id.replace(/-[0-9]+[A-Z]?$/, '');

/** RFC 9449 §4.2, §11.1 → a link per section; RFC 7523 §3 → one. */
export function rfcLinks(source: string): AllureLink[] {
  const links: AllureLink[] = [];
  for (const m of source.matchAll(/RFC ?(\d{3,5})((?:[ ,;]*§ ?\d+(?:\.\d+)*)*)/g)) {
    const sections = [...(m[2] ?? '').matchAll(/§ ?(\d+(?:\.\d+)*)/g)].map((s) => s[1]!);
    if (!sections.length) links.push({ name: `RFC ${m[1]}`, url: `https://www.rfc-editor.org/rfc/rfc${m[1]}` });
    for (const s of sections) links.push({ name: `RFC ${m[1]} §${s}`, url: `https://www.rfc-editor.org/rfc/rfc${m[1]}#section-${s}` });
  }
  return links;
}

export function allureMetadata(requirements: readonly Requirement[]): { labels: AllureLabel[]; links: AllureLink[] } {
  const labels: AllureLabel[] = [];
  const add = (name: string, value: string) => {
    if (!labels.some((l) => l.name === name && l.value === value)) labels.push({ name, value });
  };
  let severity: string | undefined;
  const links: AllureLink[] = [];
  for (const r of requirements) {
    add('epic', EPICS[r.api] ?? pack(r.api)?.title ?? r.api);
    add('feature', requirementGroup(r.id));
    add('story', `${r.id} (${r.level}): ${r.text.length > 110 ? `${r.text.slice(0, 107)}…` : r.text}`);
    const s = SEVERITY[r.level] ?? 'normal';
    if (!severity || RANK.indexOf(s) < RANK.indexOf(severity)) severity = s;
    for (const l of rfcLinks(r.source)) if (!links.some((x) => x.url === l.url)) links.push(l);
  }
  if (severity) labels.push({ name: 'severity', value: severity });
  return { labels, links };
}

/**
 * Gives Allure a test's labels and links as the runtime message allure-js-commons' `labels()` and
 * `links()` would send, added to the result rather than attached: an attach is a report step, with
 * a captured stack and a message to the runner, and this runs for every test. allure-playwright
 * reads such messages from the result's attachments when the test ends.
 */
export function addAllureMetadata(info: TestInfo, data: { labels?: AllureLabel[]; links?: AllureLink[] }): void {
  const message: RuntimeMetadataMessage = { type: 'metadata', data: { ...(data.labels?.length ? { labels: data.labels } : {}), ...(data.links?.length ? { links: data.links } : {}) } };
  if (!Object.keys(message.data).length) return;
  info.attachments.push({ name: 'Allure Metadata (metadata)', contentType: ALLURE_RUNTIME_MESSAGE_CONTENT_TYPE, body: Buffer.from(JSON.stringify(message)) });
}
