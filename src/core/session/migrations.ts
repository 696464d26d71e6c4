// Ordered, tested migrations of the session file. Each step takes the document of version N and returns
// version N+1; they run in sequence from the file's version up to CURRENT_SESSION_SCHEMA.
import { CURRENT_SESSION_SCHEMA, SESSION_KIND } from './schema';

type Doc = Record<string, unknown>;
interface Migration {
  from: number;
  describe: string;
  up: (doc: Doc) => Doc;
}

const asString = (v: unknown, fallback = ''): string => (typeof v === 'string' ? v : fallback);
const both = (text: string) => ({ 'zh-CN': text, en: text });

/**
 * Version 0 is the prototype's format (`{"format":"sgdiag","version":0,...}`): a "host:port" target string,
 * English-only findings and a bare locus. Texts are copied into both languages; the verdict keeps the
 * locus and is marked as migrated so the UI can offer a re-run.
 */
const v0ToV1: Migration = {
  from: 0,
  describe: 'prototype format → schema 1 (bilingual checks, structured target and verdict)',
  up(doc) {
    const [host, portText] = splitHostPort(asString(doc.target));
    const port = Number(portText ?? doc.port ?? 22);
    const created = asString(doc.created, new Date(0).toISOString());
    const findings = Array.isArray(doc.findings) ? (doc.findings as Doc[]) : [];
    const checks = findings.map((f, i) => ({
      id: asString(f.id, `legacy.${i}`),
      layer: ['client', 'network', 'server'].includes(asString(f.layer)) ? f.layer : 'network',
      status: ['pass', 'fail', 'warn', 'unknown', 'skipped'].includes(asString(f.status)) ? f.status : 'unknown',
      title: both(asString(f.title, asString(f.id, 'Check'))),
      finding: both(asString(f.detail)),
      explanation: both(''),
      evidence: [],
      fixes: typeof f.fix === 'string' && f.fix ? [{ kind: 'info', title: both('Fix'), command: f.fix }] : [],
      condition: 'migrated-from-v0',
    }));
    const locus = asString(doc.locus, 'inconclusive');
    const diagnosis = {
      schemaVersion: 1,
      appVersion: asString(doc.appVersion, '0.0.0'),
      createdAt: created,
      target: { host, port, protocol: 'tcp' },
      probes: (doc.probe as Doc | undefined) ?? null,
      cloud: { mode: doc.snapshot ? 'snapshot' : 'none', snapshot: doc.snapshot ?? null, flow: null, securityGroups: null, networkAcl: null },
      server: null,
      checks,
      verdict: {
        locus: ['client', 'network', 'server', 'none', 'inconclusive'].includes(locus) ? locus : 'inconclusive',
        summary: both(asString(doc.summary, 'Migrated from an early SG Doctor file')),
        reasoning: [],
        blockingCheckIds: checks.filter((c) => c.status === 'fail').map((c) => c.id),
        confidence: 'low',
        ruleId: 'migrated-v0',
      },
      notes: asString(doc.notes),
    };
    return {
      kind: SESSION_KIND,
      schemaVersion: 1,
      appVersion: diagnosis.appVersion,
      createdAt: created,
      savedAt: asString(doc.saved, created),
      plan: { host, port, protocol: 'tcp', cloudMode: diagnosis.cloud.mode },
      diagnosis,
      history: [],
    };
  },
};

export const MIGRATIONS: readonly Migration[] = [v0ToV1];

/** Reads the schema version of any document we have ever written; null when it is not ours. */
export function detectSchemaVersion(doc: Doc): number | null {
  if (doc.kind === SESSION_KIND && Number.isInteger(doc.schemaVersion)) return doc.schemaVersion as number;
  if (doc.format === 'sgdiag' && (doc.version === 0 || doc.version === undefined)) return 0;
  return null;
}

export function migrate(doc: Doc, from: number): { doc: Doc; steps: string[] } {
  let current = doc;
  const steps: string[] = [];
  for (let v = from; v < CURRENT_SESSION_SCHEMA; v++) {
    const step = MIGRATIONS.find((m) => m.from === v);
    if (!step) throw new Error(`no migration from schema ${v}`);
    current = step.up(current);
    steps.push(step.describe);
  }
  return { doc: current, steps };
}

function splitHostPort(target: string): [string, string | undefined] {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(target);
  if (bracketed) return [bracketed[1], bracketed[2]];
  const parts = target.split(':');
  if (parts.length === 2) return [parts[0], parts[1]];
  return [target, undefined];
}
