// Apply a fix from the app (issue 11 §2, the app part): the `fixes.preview`, `fixes.apply` and `fixes.undo`
// handlers. A composition-side module (like ../compose.ts): it picks the snapshot's provider from the registry and
// calls the port's optional `apply` (CloudProvider.apply), never a provider module directly.
//
// Safety, in the order the handlers check it:
//   - only a fix the diagnosis itself proposes: the checks are run again on the diagnosis' facts here, and the
//     fix at (checkId, fixIndex) must carry exactly the actions the dialog showed, with a simulation that
//     allows the flow; actions are never taken from the renderer as such;
//   - only with `confirm: true` (the contract's literal: the dialog's Confirm button sends it);
//   - never from a read-only session (written by a newer SG Doctor);
//   - the same credentials as the run, and the provider checks that they belong to the diagnosed account;
//   - ClientTokens are kept in the session before the first write (a retry does not add a second rule), and
//     every change is written to the session file (atomically, temp + rename) with its undo.
import { createHash, randomUUID } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { dirname, join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type { FixApplyResult, FixPreview } from '../../api';
import type { DomainHandlers } from './types';
import type { CloudSource } from '../../api/schemas';
import type { ApplyActionsResult, CloudAction, CloudProvider, ProviderAccessKey, ProviderId } from '../../cloud/provider';
import { DEFAULT_PROVIDER, providerFor } from '../../cloud/registry';
import { runChecks } from '../../diagnosis/checks';
import type { DiagnosisFacts } from '../../diagnosis/facts';
import type { Diagnosis, Lang, Localized } from '../../diagnosis/types';
import { L } from '../../i18n';
import { fail, ok, type Result } from '../../result';
import { createSession, loadSession, saveSession, type Session } from '../../session';
import type { AppliedChangeRecord } from '../../session/schema';
import { renderCloudFixes } from '../compose';
import type { RunCredentials } from '../engine';
import type { Logger } from '../log';

export interface FixHandlerDeps {
  env: NodeJS.ProcessEnv;
  log: Logger;
  /** Where a diagnosis that was never saved gets its file (the record and the undo must not be lost). */
  sessionsDir: string;
  /** A file reference from the UI → the path, only when the backend handed it out (else null). */
  resolveRef(ref: string): Promise<string | null>;
  /** A file the backend wrote: accepted back from the UI later, listed in recent files. */
  adopt(path: string, savedAt: string): Promise<void>;
  credentialsFor(source: CloudSource): Promise<Result<RunCredentials>>;
  /** The diagnosis document from the UI, checked against the session schema. */
  checkDiagnosis(doc: unknown): Result<Diagnosis>;
}

type FixHandlers = DomainHandlers<'fixes'>;

const say = (lang: Lang, text: Localized): string => text[lang];
/** A refusal in the user's language (the code is for programs, never shown). */
const refuse = (lang: Lang, code: string, zh: string, en: string) => fail(code, lang === 'zh-CN' ? zh : en);

/** The snapshot's provider (the default one when the diagnosis has none); null for a cloud this build lacks. */
function providerOf(id: unknown): CloudProvider | null {
  try {
    return providerFor((typeof id === 'string' ? id : DEFAULT_PROVIDER) as ProviderId);
  } catch {
    return null;
  }
}

interface Proposed {
  title: Localized;
  actions: CloudAction[];
  decision: unknown;
}

/**
 * The fix at (checkId, fixIndex) as the checks propose it now, from the diagnosis' own facts (not the
 * fixes in the document the UI sent back).
 */
export function proposedFix(d: Diagnosis, checkId: string, fixIndex: number): Proposed | null {
  const provider = providerOf(d.cloud.snapshot?.provider);
  const facts: DiagnosisFacts = {
    target: d.target,
    probes: d.probes,
    cloud: d.cloud,
    server: d.server ?? null,
    ...(d.trace ? { trace: d.trace } : {}),
    ...(provider ? { semantics: provider.semantics } : {}),
  };
  const check = runChecks(facts, undefined, { fixes: renderCloudFixes }).find((c) => c.id === checkId);
  const fix = check?.fixes[fixIndex] as (Diagnosis['checks'][number]['fixes'][number] & { actions?: CloudAction[]; simulated?: { decision?: unknown } }) | undefined;
  if (!check || !fix?.actions?.length) return null;
  return { title: fix.title, actions: fix.actions, decision: fix.simulated?.decision };
}

/** Validation shared by preview and apply: the fix exists, is proven, and matches what the dialog showed. */
function checkFix(d: Diagnosis, a: { checkId: string; fixIndex: number; actions: unknown[]; lang: Lang }): Result<{ fix: Proposed; provider: CloudProvider }> {
  const fix = proposedFix(d, a.checkId, a.fixIndex);
  if (!fix || !isDeepStrictEqual(JSON.parse(JSON.stringify(fix.actions)), a.actions)) {
    return refuse(a.lang, 'FIX_NOT_PROPOSED', '这个诊断没有提出这项更改：只能执行诊断给出的修复。', 'This diagnosis does not propose that change: only the fixes it shows can be applied.');
  }
  if (fix.decision !== 'allow') return refuse(a.lang, 'FIX_NOT_PROVEN', '在配置上模拟后，这个修复并不能放行这条连接，因此不会执行。', 'Simulated on the configuration, this fix does not admit the connection: it is not applied.');
  const provider = providerOf(d.cloud.snapshot?.provider);
  if (!provider) return refuse(a.lang, 'NOT_SUPPORTED', '这个诊断来自本版本不认识的云。', 'This diagnosis is from a cloud this version does not know.');
  return ok({ fix, provider });
}

const unavailableText = (provider: CloudProvider): Localized =>
  L(`在${provider.name['zh-CN']}上还不能从 SG Doctor 直接执行修复：请复制上面的命令，或在控制台中修改。`, `Applying fixes from SG Doctor is not available for ${provider.name.en} yet: copy the commands above, or make the change in the console.`);

/** The write permissions an action list needs, as the provider's own write policy names them. */
function permissionsFor(provider: CloudProvider, actions: readonly CloudAction[]): string[] {
  const own = provider.apply?.permissions?.(actions);
  if (own) return own;
  const names = new Set<string>();
  const walk = (v: unknown): void => {
    if (typeof v === 'string') {
      if (actions.some((a) => v.endsWith(`:${a.api}`))) names.add(v);
    } else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(provider.policy({ write: true }));
  return [...names];
}

const keyOf = (kind: string, actions: readonly CloudAction[]): string => `${kind}:${createHash('sha256').update(JSON.stringify(actions)).digest('hex').slice(0, 32)}`;

function accessOf(c: RunCredentials, lang: Lang): Result<{ credentials?: ProviderAccessKey; profile?: string }> {
  switch (c.kind) {
    case 'access-key':
      return ok({ credentials: { accessKeyId: c.key.accessKeyId, accessKeySecret: c.key.accessKeySecret } });
    case 'profile':
      return ok({ profile: c.profile });
    case 'environment':
      return ok({});
    default:
      return refuse(lang, 'NEEDS_ACCOUNT', '执行修复需要云账号（aliyun CLI 配置或 AccessKey），即诊断时读取配置所用的账号。', 'Applying a fix needs a cloud account (a profile or an AccessKey): the one the diagnosis read.');
  }
}

const fileNameFor = (d: Diagnosis): string => `${d.target.host.replace(/[^A-Za-z0-9.-]+/g, '-')}-${d.target.port}-${new Date().toISOString().replace(/[:.]/g, '-')}.sgdiag`;

export function fixHandlers(deps: FixHandlerDeps): FixHandlers {
  /** One write at a time: a second Apply / Undo while one runs is refused, not queued. */
  let busy = false;

  /** Who writes and through which endpoints: checked before any file is written or anything is sent. */
  async function writerFor(provider: CloudProvider, cloud: CloudSource, lang: Lang): Promise<Result<{ credentials?: ProviderAccessKey; profile?: string; endpoints: unknown }>> {
    const creds = await deps.credentialsFor(cloud);
    if (!creds.ok) return creds;
    const who = accessOf(creds.value, lang);
    if (!who.ok) return who;
    const endpoints = provider.endpoints?.({ env: deps.env }) ?? ok(undefined);
    if (!endpoints.ok) return fail('BAD_CONFIG', endpoints.message);
    return ok({ ...who.value, endpoints: endpoints.value });
  }

  function send(provider: CloudProvider, actions: readonly CloudAction[], o: { region: string; accountId: string | null; tokens: string[]; writer: { credentials?: ProviderAccessKey; profile?: string; endpoints: unknown } }): Promise<ApplyActionsResult> {
    return provider.apply!.applyActions(actions, {
      region: o.region,
      ...(o.writer.credentials ? { credentials: o.writer.credentials } : {}),
      ...(o.writer.profile ? { profile: o.writer.profile } : {}),
      env: deps.env,
      endpoints: o.writer.endpoints,
      expectAccountId: o.accountId,
      clientTokens: o.tokens,
      signal: AbortSignal.timeout(120_000),
    });
  }

  const failureOf = (r: ApplyActionsResult & { ok: true }, lang: Lang) =>
    r.outcome.failure ? { api: r.outcome.failure.api, code: r.outcome.failure.code, message: say(lang, r.outcome.failure.message), requestId: r.outcome.failure.requestId } : null;

  return {
    'fixes.preview': async (a) => {
      const d = deps.checkDiagnosis(a.diagnosis);
      if (!d.ok) return d;
      const checked = checkFix(d.value, a);
      if (!checked.ok) return checked;
      const { fix, provider } = checked.value;
      const snapshot = d.value.cloud.snapshot;
      const preview: FixPreview = {
        available: !!provider.apply && !!snapshot?.region,
        unavailable: provider.apply ? (snapshot?.region ? null : L('这个诊断没有读取云配置（不知道地域），无法直接执行。', 'This diagnosis holds no cloud configuration (no region): it cannot be applied from here.')) : unavailableText(provider),
        title: fix.title,
        cloudName: provider.name,
        accountId: snapshot?.account?.accountId ?? null,
        region: snapshot?.region ?? null,
        changes: provider.apply ? provider.apply.describeActions(fix.actions, { snapshot }).map((lines, i) => ({ api: fix.actions[i].api, lines })) : fix.actions.map((x) => ({ api: x.api, lines: [] })),
        permissions: permissionsFor(provider, fix.actions),
      };
      return ok(preview);
    },

    'fixes.apply': async (a) => {
      const d = deps.checkDiagnosis(a.diagnosis);
      if (!d.ok) return d;
      const checked = checkFix(d.value, a);
      if (!checked.ok) return checked;
      const { fix, provider } = checked.value;
      if (!provider.apply) return fail('NOT_SUPPORTED', unavailableText(provider)[a.lang]);
      const snapshot = d.value.cloud.snapshot;
      const region = snapshot?.region;
      if (!region) return refuse(a.lang, 'NO_CLOUD', '这个诊断没有读取云配置（不知道地域），无法执行。', 'This diagnosis holds no cloud configuration (no region): nothing to apply to.');
      const accountId = snapshot.account?.accountId ?? null;
      const writer = await writerFor(provider, a.cloud, a.lang);
      if (!writer.ok) return writer;
      if (busy) return refuse(a.lang, 'BUSY', '正在执行另一项更改，请等它完成。', 'A change is being applied: wait for it to finish.');
      busy = true;
      try {
        // The session file: the opened one (never a read-only one), else a new one in the sessions folder.
        let path: string;
        let previous: Session | null = null;
        if (a.ref) {
          const p = await deps.resolveRef(a.ref);
          if (!p) return refuse(a.lang, 'UNKNOWN_FILE', '这个文件不是由 SG Doctor 打开或保存的。', 'That file was not opened or saved by SG Doctor.');
          const loaded = await loadSession(p);
          if (!loaded.ok) return loaded;
          if (loaded.value.readOnly) return refuse(a.lang, 'READ_ONLY', '这个会话由更新版本的 SG Doctor 写入，在这里只读：不会从它执行任何更改。', 'This session was written by a newer SG Doctor and is read-only here: nothing is applied from it.');
          path = p;
          previous = loaded.value.session;
        } else {
          path = join(deps.sessionsDir, fileNameFor(d.value));
        }
        const base: Session = {
          ...createSession(d.value, a.plan, previous ?? undefined),
          ...(previous?.applied ? { applied: previous.applied } : {}),
          ...(previous?.watch ? { watch: previous.watch } : {}),
        };
        const key = keyOf('apply', fix.actions);
        const tokens = previous?.pendingApply?.key === key && previous.pendingApply.tokens.length === fix.actions.length ? previous.pendingApply.tokens : fix.actions.map(() => randomUUID());
        const pending: Session = { ...base, pendingApply: { key, tokens, startedAt: new Date().toISOString() } };
        await fsp.mkdir(dirname(path), { recursive: true });
        const first = await saveSession(path, pending);
        if (!first.ok) return refuse(a.lang, first.code, `无法写入会话文件，没有做任何更改：${first.message}`, `The session file could not be written, nothing was changed: ${first.message}`);
        await deps.adopt(path, pending.savedAt);

        deps.log.info('fix apply', { checkId: a.checkId, actions: fix.actions.map((x) => x.api), region });
        const r = await send(provider, fix.actions, { region, accountId, tokens, writer: writer.value });
        if (!r.ok) return fail('REFUSED', say(a.lang, r.refused));
        const batch = randomUUID();
        const records: AppliedChangeRecord[] = r.outcome.applied.map((c) => ({
          ...c,
          batch,
          provider: provider.id,
          fix: { checkId: a.checkId, title: fix.title },
          accountId,
          region,
        }));
        const applied = [...(base.applied ?? []), ...records];
        const saved = await saveSession(path, { ...base, applied, pendingApply: r.outcome.failure ? pending.pendingApply : null });
        deps.log.info('fix applied', { changes: records.length, failed: r.outcome.failure?.code ?? null });
        if (!saved.ok) {
          const undo = JSON.stringify(records.map((x) => x.undo));
          return refuse(a.lang, 'NOT_RECORDED', `更改已执行，但无法写入会话文件（${saved.message}）。撤销所需的操作：${undo}`, `The change was made but the session file could not be written (${saved.message}). To undo it: ${undo}`);
        }
        return ok({ ref: path, name: path.split(/[\\/]/).pop()!, records, applied, failure: failureOf(r, a.lang), notSent: r.outcome.notSent } satisfies FixApplyResult);
      } finally {
        busy = false;
      }
    },

    'fixes.undo': async (a) => {
      const path = await deps.resolveRef(a.ref);
      if (!path) return refuse(a.lang, 'UNKNOWN_FILE', '这个文件不是由 SG Doctor 打开或保存的。', 'That file was not opened or saved by SG Doctor.');
      if (busy) return refuse(a.lang, 'BUSY', '正在执行另一项更改，请等它完成。', 'A change is being applied: wait for it to finish.');
      busy = true;
      try {
        const loaded = await loadSession(path);
        if (!loaded.ok) return loaded;
        if (loaded.value.readOnly) return refuse(a.lang, 'READ_ONLY', '这个会话由更新版本的 SG Doctor 写入，在这里只读：不会从它撤销任何更改。', 'This session was written by a newer SG Doctor and is read-only here: nothing is undone from it.');
        const session = loaded.value.session;
        const records = session.applied ?? [];
        const open = records.filter((x) => x.changed && !x.undoneAt && x.undo.length);
        if (!open.length) return refuse(a.lang, 'NOTHING_TO_UNDO', '没有可以撤销的更改。', 'There is no applied change to undo.');
        const batch = open[open.length - 1].batch;
        const undoOf = open.filter((x) => x.batch === batch).reverse();
        const provider = providerOf(undoOf[0].provider);
        if (!provider?.apply) return refuse(a.lang, 'NOT_SUPPORTED', '这个云还不能从 SG Doctor 撤销更改。', 'Undoing is not available for this cloud yet.');
        const writer = await writerFor(provider, a.cloud, a.lang);
        if (!writer.ok) return writer;
        const actions = undoOf.flatMap((x) => x.undo as CloudAction[]);
        const key = keyOf(`undo-${batch}`, actions);
        const tokens = session.pendingApply?.key === key && session.pendingApply.tokens.length === actions.length ? session.pendingApply.tokens : actions.map(() => randomUUID());
        const pending: Session = { ...session, pendingApply: { key, tokens, startedAt: new Date().toISOString() } };
        const first = await saveSession(path, pending);
        if (!first.ok) return refuse(a.lang, first.code, `无法写入会话文件，没有做任何更改：${first.message}`, `The session file could not be written, nothing was changed: ${first.message}`);

        deps.log.info('fix undo', { actions: actions.map((x) => x.api) });
        const r = await send(provider, actions, { region: undoOf[0].region, accountId: undoOf[0].accountId, tokens, writer: writer.value });
        if (!r.ok) return fail('REFUSED', say(a.lang, r.refused));
        // Each record's undo actions went in order: a record is undone when all of its actions went through.
        const now = new Date().toISOString();
        const undone = new Map<AppliedChangeRecord, string[]>();
        let k = 0;
        for (const rec of undoOf) {
          const results = r.outcome.applied.slice(k, k + rec.undo.length);
          k += rec.undo.length;
          if (results.length === rec.undo.length) undone.set(rec, results.map((x) => x.requestId).filter((x): x is string => x !== null));
        }
        const applied = records.map((rec) => (undone.has(rec) ? { ...rec, undoneAt: now, undoRequestIds: undone.get(rec)! } : rec));
        const saved = await saveSession(path, { ...session, applied, pendingApply: r.outcome.failure ? pending.pendingApply : null });
        if (!saved.ok) return refuse(a.lang, 'NOT_RECORDED', `更改已撤销，但无法写入会话文件：${saved.message}`, `The change was undone but the session file could not be written: ${saved.message}`);
        return ok({ ref: path, name: path.split(/[\\/]/).pop()!, records: applied.filter((x) => x.batch === batch), applied, failure: failureOf(r, a.lang), notSent: r.outcome.notSent } satisfies FixApplyResult);
      } finally {
        busy = false;
      }
    },
  };
}
