import { describe, expect, it } from 'vitest';
import type { Check, Diagnosis } from '../../core/diagnosis/types';
import { applyEvent, argsOf, emptyForm, finishRun, formOf, idleRun, planOf, portOf, resolvePointer, startingRun, verdictFixes } from './logic';

const check = (id: string, status: Check['status'], fixes: Check['fixes'] = []): Check => ({
  id,
  layer: 'network',
  status,
  title: { en: id, 'zh-CN': id },
  finding: { en: '', 'zh-CN': '' },
  explanation: { en: '', 'zh-CN': '' },
  evidence: [],
  fixes,
  condition: 'c',
});

describe('live run', () => {
  it('folds events of its own run and ignores others', () => {
    let run = startingRun();
    run = applyEvent(run, 'r1', { type: 'stage', stage: 'probe', status: 'start' });
    expect(run).toMatchObject({ runId: 'r1', status: 'running', stages: { probe: 'start' } });
    run = applyEvent(run, 'r0', { type: 'checks', checks: [check('old', 'fail')] });
    expect(run.checks).toEqual([]);
    run = applyEvent(run, 'r1', { type: 'checks', checks: [check('a', 'pass')] });
    run = applyEvent(run, 'r1', { type: 'stage', stage: 'cloud', status: 'error', message: 'Forbidden.RAM' });
    expect(run.checks.map((c) => c.id)).toEqual(['a']);
    expect(run.stageMessages.cloud).toBe('Forbidden.RAM');
  });

  it('finishes with a result, a cancel or an error', () => {
    const d = { checks: [check('x', 'fail')], verdict: { locus: 'server' } } as unknown as Diagnosis;
    expect(finishRun({ ...idleRun(), status: 'running', runId: 'r' }, 'r', { ok: true, value: d })).toMatchObject({ status: 'done', verdict: { locus: 'server' } });
    expect(finishRun({ ...idleRun(), status: 'running', runId: 'r' }, 'r', { ok: false, code: 'CANCELLED', message: '' }).status).toBe('cancelled');
    expect(finishRun({ ...idleRun(), status: 'running', runId: 'r' }, 'r', { ok: false, code: 'X', message: 'boom' })).toMatchObject({ status: 'failed', error: { code: 'X' } });
    expect(finishRun({ ...idleRun(), status: 'running', runId: 'r' }, 'other', { ok: true, value: d }).status).toBe('running');
  });
});

describe('guided form', () => {
  it('derives the port from the preset or the custom field', () => {
    expect(portOf({ ...emptyForm(), service: 'rdp' })).toBe(3389);
    expect(portOf({ ...emptyForm(), service: 'custom', customPort: '8080' })).toBe(8080);
    for (const bad of ['', '0', '65536', '80a', '-1', '1e3']) expect(portOf({ ...emptyForm(), service: 'custom', customPort: bad })).toBeNull();
  });

  it('needs a host, a port and a complete cloud choice', () => {
    expect(argsOf(emptyForm())).toBeNull();
    expect(argsOf({ ...emptyForm(), host: 'h', cloudMode: 'profile' })).toBeNull();
    expect(argsOf({ ...emptyForm(), host: ' h ', cloudMode: 'profile', profile: 'prod' })).toEqual({ host: 'h', port: 22, service: 'ssh', cloud: { mode: 'profile', provider: 'alicloud', profile: 'prod' } });
  });

  it('round-trips a plan for re-runs (offline JSON becomes probe-only)', () => {
    const args = argsOf({ ...emptyForm(), host: 'h', service: 'custom', customPort: '8443', cloudMode: 'profile', profile: 'p', region: 'cn-hangzhou' })!;
    const plan = planOf(args);
    expect(plan).toMatchObject({ host: 'h', port: 8443, cloudMode: 'api', profile: 'p' });
    expect(argsOf(formOf(plan))).toEqual(args);
    expect(formOf({ host: 'h', port: 22, cloudMode: 'snapshot' }).cloudMode).toBe('none');
  });

  it('re-runs offline JSON with the configuration kept in the saved diagnosis', () => {
    const snapshot = { source: 'import', region: 'cn-hangzhou', securityGroups: [{ id: 'sg-1' }] };
    const form = formOf({ host: 'h', port: 6379, service: 'redis', cloudMode: 'snapshot' }, { cloud: { mode: 'snapshot', snapshot } } as never);
    expect(form.cloudMode).toBe('import');
    expect(JSON.parse(form.importJson)).toEqual(snapshot);
    expect(form).toMatchObject({ service: 'custom', customPort: '6379' }); // a CLI service without an app preset
    expect(argsOf(form)?.cloud).toEqual({ mode: 'import', provider: 'alicloud', json: form.importJson });
    // An API plan never turns into an import, whatever the diagnosis holds.
    expect(formOf({ host: 'h', port: 22, cloudMode: 'api', profile: 'p' }, { cloud: { mode: 'api', snapshot } } as never).cloudMode).toBe('profile');
  });
});

describe('evidence helpers', () => {
  it('resolves pointers without walking prototypes', () => {
    const doc = { probes: { tcp: [{ port: 22 }] }, 'a/b': 1 };
    expect(resolvePointer(doc, '/probes/tcp/0/port')).toBe(22);
    expect(resolvePointer(doc, '/a~1b')).toBe(1);
    expect(resolvePointer(doc, '/probes/constructor')).toBeUndefined();
    expect(resolvePointer(doc, 'probes')).toBeUndefined();
  });

  it('lists the deciding checks\' fixes first, without duplicates', () => {
    const fix = (c: string) => ({ kind: 'aliyun-cli' as const, title: { en: c, 'zh-CN': c }, command: c });
    const checks = [check('a', 'fail', [fix('x')]), check('b', 'fail', [fix('y'), fix('x')]), check('c', 'pass', [fix('z')])];
    const v = { blockingCheckIds: ['b'] } as never;
    expect(verdictFixes(checks, v).map((f) => f.command)).toEqual(['y', 'x']);
  });
});
