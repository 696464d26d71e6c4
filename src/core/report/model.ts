// A report is built once as a neutral document (headings, paragraphs, lists, tables, code) and then
// rendered as Markdown or self-contained HTML, so both formats always say the same thing.
import type { Check, Diagnosis, Lang, Layer, Localized } from '../diagnosis/types';
import type { SecurityGroupRule } from '../cloud/model';
import type { BannerFact } from '../probe/types';
import { maskIps, redactDocument } from '../session/redact';
import { summarizeTrace } from '../probe/trace/classify';
import { fullWidthZh } from '../i18n/punctuation';
import { evaluationWords, humanizeCodes, nearMissWords, tcpReasonWords } from '../diagnosis/words';
import { localClock, type WatchRecord } from '../watch-model';
import { pathSegments, SEGMENT_MARK_WORDS, SEGMENT_STATUS_WORDS, segmentMark } from '../diagnosis/path-picture';

export type Block =
  | { type: 'heading'; level: 1 | 2 | 3; text: string }
  | { type: 'paragraph'; text: string }
  | { type: 'list'; items: string[] }
  | { type: 'table'; head: string[]; rows: string[][] }
  | { type: 'code'; text: string; lang?: string }
  | { type: 'verdict'; locus: string; label: string; text: string }
  | { type: 'path'; caption: string; head: string[]; segments: PathBlockSegment[] };

/** One segment of the path picture, in the report's language. */
export interface PathBlockSegment {
  id: string;
  status: 'ok' | 'broken' | 'unknown';
  /** ✓ ✗ ? — the status without colour. */
  symbol: string;
  label: string;
  /** The status in words, with its mark (the break, a likely break, a suspect, conflicting evidence). */
  statusText: string;
  isBreak: boolean;
  finding?: string;
  /** "Label: status, mark" above the finding, for the break and for conflicting evidence. */
  callout?: string;
  /** Trace hops on this segment, in words, when a trace ran. */
  hops?: string;
}

export interface ReportOptions {
  lang: Lang;
  /** Hide host parts of IP addresses (for a report sent to others). */
  maskIps?: boolean;
  generatedAt?: string;
  /** A watch that ended in success for this target (issue 11 §3): "works since" in the report. */
  watch?: WatchRecord | null;
}

const L = {
  title: { en: 'SG Doctor diagnosis report', 'zh-CN': 'SG Doctor 诊断报告' },
  target: { en: 'Target', 'zh-CN': '目标' },
  generated: { en: 'Generated', 'zh-CN': '生成时间' },
  worksSince: { en: 'Works since', 'zh-CN': '连通时间' },
  diagnosed: { en: 'Diagnosed', 'zh-CN': '诊断时间' },
  verdict: { en: 'Verdict', 'zh-CN': '结论' },
  confidence: { en: 'Confidence', 'zh-CN': '置信度' },
  path: { en: 'Where the packets get through', 'zh-CN': '数据包走到了哪里' },
  segment: { en: 'Segment', 'zh-CN': '路段' },
  reasoning: { en: 'Reasoning', 'zh-CN': '推理过程' },
  fixes: { en: 'How to fix', 'zh-CN': '修复建议' },
  checklist: { en: 'Checklist', 'zh-CN': '检查清单' },
  status: { en: 'Status', 'zh-CN': '状态' },
  check: { en: 'Check', 'zh-CN': '检查项' },
  finding: { en: 'Finding', 'zh-CN': '结果' },
  evidence: { en: 'Evidence', 'zh-CN': '证据' },
  probes: { en: 'Probes from your machine', 'zh-CN': '本机探测结果' },
  port: { en: 'Port', 'zh-CN': '端口' },
  state: { en: 'State', 'zh-CN': '状态' },
  reason: { en: 'Reason', 'zh-CN': '原因' },
  attempts: { en: 'Attempts', 'zh-CN': '尝试次数' },
  banner: { en: 'Application answer', 'zh-CN': '应用响应' },
  cloud: { en: 'Cloud configuration', 'zh-CN': '云上配置' },
  region: { en: 'Region', 'zh-CN': '地域' },
  networkType: { en: 'Network type', 'zh-CN': '网络类型' },
  instance: { en: 'Instance', 'zh-CN': '实例' },
  publicAddress: { en: 'Public address', 'zh-CN': '公网地址' },
  groups: { en: 'Security group rules (evaluation order)', 'zh-CN': '安全组规则（按生效顺序）' },
  nearMisses: { en: 'Rules that almost matched', 'zh-CN': '差一点匹配的规则' },
  acl: { en: 'Network ACL', 'zh-CN': '网络 ACL' },
  server: { en: 'Inside the server', 'zh-CN': '服务器内部' },
  listeners: { en: 'Listening sockets', 'zh-CN': '监听端口' },
  firewall: { en: 'Firewall', 'zh-CN': '防火墙' },
  client: { en: 'Your side', 'zh-CN': '客户端' },
  egress: { en: 'Public egress IP', 'zh-CN': '公网出口 IP' },
  control: { en: 'Control probe', 'zh-CN': '对照探测' },
  proxies: { en: 'Proxy settings', 'zh-CN': '代理设置' },
  errors: { en: 'Could not read', 'zh-CN': '未能读取' },
  notes: { en: 'Notes', 'zh-CN': '备注' },
  trace: { en: 'Path trace', 'zh-CN': '路径追踪' },
  hop: { en: 'Hop', 'zh-CN': '跳' },
  address: { en: 'Address', 'zh-CN': '地址' },
  loss: { en: 'Loss', 'zh-CN': '丢失' },
  where: { en: 'Where', 'zh-CN': '位置' },
  noAnswer: { en: 'no answer', 'zh-CN': '无应答' },
  zones: { 'own-network': { en: 'your network', 'zh-CN': '你的网络' }, beyond: { en: 'beyond your network', 'zh-CN': '你的网络之外' }, unknown: { en: 'unknown', 'zh-CN': '未知' }, target: { en: 'the server', 'zh-CN': '服务器' } } as Record<string, Localized>,
  traceReached: { en: 'The server answered the trace.', 'zh-CN': '服务器回应了追踪。' },
  traceNotReached: { en: 'The server did not answer the trace.', 'zh-CN': '服务器没有回应追踪。' },
  traceOtherProtocol: { en: 'These probes are another protocol than the TCP port: they can only corroborate.', 'zh-CN': '这些探测包与 TCP 端口不是同一种协议，只能作为旁证。' },
  none: { en: 'none', 'zh-CN': '无' },
  unknown: { en: 'unknown', 'zh-CN': '未知' },
  masked: { en: 'IP addresses are partly masked in this report.', 'zh-CN': '本报告中的 IP 地址已部分隐藏。' },
  confidenceLevels: { high: { en: 'high', 'zh-CN': '高' }, medium: { en: 'medium', 'zh-CN': '中' }, low: { en: 'low', 'zh-CN': '低' } } as Record<string, Localized>,
  oneOf: { en: 'Do one of these:', 'zh-CN': '任选其一：' },
  or: { en: 'or', 'zh-CN': '或' },
  warning: { en: 'Warning', 'zh-CN': '注意' },
  needs: { en: 'A ready-to-copy command needs', 'zh-CN': '要得到可直接复制的命令，还需要' },
  sourcesDisagree: { en: 'the public-IP services disagree', 'zh-CN': '查询公网 IP 的服务结果不一致' },
  unstable: { en: 'unstable', 'zh-CN': '不稳定' },
  states: { open: { en: 'open', 'zh-CN': '开放' }, closed: { en: 'closed', 'zh-CN': '关闭' }, filtered: { en: 'no answer', 'zh-CN': '无应答' } } as Record<string, Localized>,
  decisions: { allow: { en: 'Allowed', 'zh-CN': '放行' }, deny: { en: 'Denied', 'zh-CN': '拒绝' }, unknown: { en: 'Undecided', 'zh-CN': '无法判断' } } as Record<string, Localized>,
  inbound: { en: 'Inbound', 'zh-CN': '入方向' },
  returnPath: { en: 'Return path', 'zh-CN': '回程' },
  placeholders: {
    'your-public-ip': { en: 'your public IP', 'zh-CN': '你的公网 IP' },
    'security-group-id': { en: 'the security group ID', 'zh-CN': '安全组 ID' },
    'instance-id': { en: 'the instance ID', 'zh-CN': '实例 ID' },
    'region-id': { en: 'the region', 'zh-CN': '地域' },
  } as Record<string, Localized>,
  layers: {
    client: { en: 'Client side', 'zh-CN': '客户端' },
    network: { en: 'Network and cloud', 'zh-CN': '网络与云配置' },
    server: { en: 'Server side', 'zh-CN': '服务器内部' },
  } as Record<Layer, Localized>,
  loci: {
    client: { en: 'Client side', 'zh-CN': '客户端问题' },
    network: { en: 'Network / cloud configuration', 'zh-CN': '网络 / 云配置问题' },
    server: { en: 'Server side', 'zh-CN': '服务器内部问题' },
    none: { en: 'Healthy: the path works', 'zh-CN': '正常：连接可用' },
    inconclusive: { en: 'Inconclusive', 'zh-CN': '无法确定' },
  } as Record<string, Localized>,
  statuses: {
    pass: { en: 'pass', 'zh-CN': '通过' },
    fail: { en: 'FAIL', 'zh-CN': '失败' },
    warn: { en: 'warn', 'zh-CN': '警告' },
    unknown: { en: 'unknown', 'zh-CN': '未知' },
    skipped: { en: 'skipped', 'zh-CN': '跳过' },
  } as Record<string, Localized>,
};

const STATUS_ORDER: Record<string, number> = { fail: 0, warn: 1, unknown: 2, pass: 3, skipped: 4 };

export function buildReport(input: Diagnosis, opts: ReportOptions): { title: string; blocks: Block[] } {
  const d = opts.maskIps ? maskIps(redactDocument(input)) : redactDocument(input);
  const lang = opts.lang;
  const tr = (l: Localized) => (lang === 'zh-CN' ? fullWidthZh(humanizeCodes(l[lang] || l.en, lang)) : humanizeCodes(l[lang] || l.en, lang));
  const when = (iso: string): string => {
    const t = new Date(iso);
    return Number.isNaN(t.getTime()) ? iso : new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'medium' }).format(t);
  };
  const colon = lang === 'zh-CN' ? '：' : ': ';
  const blocks: Block[] = [];
  const title = `${tr(L.title)}: ${d.target.host}:${d.target.port}`;

  blocks.push({ type: 'heading', level: 1, text: title });
  blocks.push({
    type: 'list',
    items: [
      `${tr(L.target)}: ${d.target.host} ${d.target.protocol.toUpperCase()} ${d.target.port}${d.target.service ? ` (${d.target.service})` : ''}${d.target.instanceId ? `, ${d.target.instanceId}` : ''}`,
      `${tr(L.diagnosed)}: ${when(d.createdAt)}`,
      `${tr(L.generated)}: ${when(opts.generatedAt ?? new Date().toISOString())} · SG Doctor ${d.appVersion}`,
      ...worksSinceItems(opts.watch, input.target, lang, when),
    ],
  });
  if (opts.maskIps) blocks.push({ type: 'paragraph', text: tr(L.masked) });

  // Verdict first: it is what the reader came for.
  blocks.push({ type: 'heading', level: 2, text: tr(L.verdict) });
  // One sentence naming the finding and the target.
  const targetText = d.target.host.includes(':') ? `[${d.target.host}]:${d.target.port}` : `${d.target.host}:${d.target.port}`;
  const summary = tr(d.verdict.summary).replace(/[。.]\s*$/, '');
  blocks.push({ type: 'verdict', locus: d.verdict.locus, label: tr(L.loci[d.verdict.locus] ?? L.loci.inconclusive), text: lang === 'zh-CN' ? `${targetText}：${summary}。` : `${targetText}: ${summary}.` });
  blocks.push({ type: 'paragraph', text: `${tr(L.confidence)}${colon}${tr(L.confidenceLevels[d.verdict.confidence] ?? L.confidenceLevels.low)}` });
  blocks.push(pathBlock(d, lang, tr));
  if (d.verdict.reasoning.length) blocks.push({ type: 'list', items: d.verdict.reasoning.map(tr) });

  const fixChecks = d.checks.filter((c) => (c.status === 'fail' || c.status === 'warn') && c.fixes.length);
  if (fixChecks.length) {
    blocks.push({ type: 'heading', level: 2, text: tr(L.fixes) });
    const ordered = [...fixChecks].sort((a, b) => Number(!d.verdict.blockingCheckIds.includes(a.id)) - Number(!d.verdict.blockingCheckIds.includes(b.id)));
    const isAlt = (f: Check['fixes'][number]): boolean => f.kind === 'console' || f.kind === 'aliyun-cli' || f.kind === 'hcloud-cli' || f.kind === 'terraform' || (f.kind === 'os-command' && ['ufw', 'firewalld', 'iptables', 'nftables', 'windows'].includes(f.platform ?? ''));
    for (const c of ordered) {
      blocks.push({ type: 'heading', level: 3, text: tr(c.title) });
      const alts = c.fixes.filter(isAlt);
      const grouped = alts.length > 1;
      const steps = grouped ? c.fixes.filter((f) => !isAlt(f)) : c.fixes;
      const emit = (f: Check['fixes'][number]) => {
        const missing = [...new Set([...(f.command ?? '').matchAll(/<([a-z][\w-]*)>/gi)].map((m) => m[1].toLowerCase()))];
        const title = tr(f.title).replace(/<([a-z][\w-]*)>/gi, (_, n: string) => tr(L.placeholders[n.toLowerCase()] ?? L.unknown));
        const platform = f.platform && f.platform !== 'aliyun' && f.platform !== 'terraform' ? ` — ${f.platform}` : '';
        blocks.push({ type: 'paragraph', text: `${title}${platform}${f.url ? ` — ${f.url}` : ''}` });
        if (f.warning) blocks.push({ type: 'paragraph', text: `${tr(L.warning)}${colon}${tr(f.warning)}` });
        if (f.command && missing.length === 0) blocks.push({ type: 'code', text: f.command, lang: f.kind === 'terraform' ? 'hcl' : f.kind === 'os-command' && f.platform === 'windows' ? 'powershell' : 'sh' });
        else if (f.command) blocks.push({ type: 'paragraph', text: `${tr(L.needs)} ${missing.map((m) => tr(L.placeholders[m] ?? L.unknown)).join(lang === 'zh-CN' ? '、' : ', ')}.`.replace(/ (?=[\u4e00-\u9fff])/, '').replace(/\.$/, lang === 'zh-CN' ? '。' : '.') });
      };
      steps.forEach(emit);
      if (grouped) {
        blocks.push({ type: 'paragraph', text: tr(L.oneOf) });
        alts.forEach((f, i) => {
          if (i > 0) blocks.push({ type: 'paragraph', text: `— ${tr(L.or)} —` });
          emit(f);
        });
      }
    }
  }

  blocks.push({ type: 'heading', level: 2, text: tr(L.checklist) });
  for (const layer of ['client', 'network', 'server'] as Layer[]) {
    const checks = d.checks.filter((c) => c.layer === layer).sort((a, b) => STATUS_ORDER[a.status] - STATUS_ORDER[b.status]);
    if (!checks.length) continue;
    blocks.push({ type: 'heading', level: 3, text: tr(L.layers[layer]) });
    blocks.push({
      type: 'table',
      head: [tr(L.status), tr(L.check), tr(L.finding), tr(L.evidence)],
      rows: checks.map((c: Check) => [tr(L.statuses[c.status]), tr(c.title), tr(c.finding), c.evidence.map((e) => humanizeCodes(e.summary, lang)).join('; ')]),
    });
  }

  if (d.probes) {
    const p = d.probes;
    blocks.push({ type: 'heading', level: 2, text: tr(L.probes) });
    blocks.push({ type: 'paragraph', text: `${p.target.host} → ${p.target.addresses.join(', ') || tr(L.none)}` });
    if (p.tcp.length) {
      blocks.push({
        type: 'table',
        head: [tr(L.port), tr(L.state), tr(L.reason), 'RTT', tr(L.attempts), tr(L.banner)],
        rows: p.tcp.map((t) => [
          `${t.port}${t.service ? ` (${t.service})` : ''}`,
          `${tr(L.states[t.state] ?? L.unknown)}${t.flaky ? (lang === 'zh-CN' ? `（${tr(L.unstable)}）` : ` (${tr(L.unstable)})`) : ''}`,
          tr(tcpReasonWords(t.reason)),
          t.rttMs === null ? '—' : `${t.rttMs.toFixed(1)} ms`,
          String(t.attempts),
          bannerText(t.banner),
        ]),
      });
    }
    if (p.icmp) {
      const i = p.icmp;
      blocks.push({ type: 'paragraph', text: `ICMP (${i.method}): ${i.state}, ${i.received}/${i.sent}${i.rttAvgMs !== null ? `, avg ${i.rttAvgMs.toFixed(1)} ms` : ''}${i.unreachable ? `, ${i.unreachable.text}` : ''}` });
    }
    if (p.dns && !p.dns.isIpLiteral) {
      const rows = [p.dns.system, ...p.dns.direct].filter((x): x is NonNullable<typeof x> => !!x).map((s) => [s.resolver, [...s.a, ...s.aaaa].join(', ') || '—', s.cname.join(' → ') || '—', s.error ?? 'ok']);
      blocks.push({ type: 'table', head: ['DNS', 'A/AAAA', 'CNAME', tr(L.status)], rows });
      if (p.dns.expected) blocks.push({ type: 'paragraph', text: p.dns.expected.detail });
    }
    const c = p.client;
    blocks.push({ type: 'heading', level: 3, text: tr(L.client) });
    blocks.push({
      type: 'list',
      items: [
        `${tr(L.egress)}: ${c.egressIp?.address ?? tr(L.unknown)}${c.egressIp && !c.egressIp.consensus && (c.egressIp.distinct?.length ?? 0) > 1 ? (lang === 'zh-CN' ? `（${tr(L.sourcesDisagree)}）` : ` (${tr(L.sourcesDisagree)})`) : ''}`,
        `${tr(L.control)}: ${c.control.length ? c.control.map((x) => `${x.host}:${x.port} ${x.state}/${x.reason}`).join(', ') : tr(L.none)}`,
        `${tr(L.proxies)}: ${c.proxies.length ? c.proxies.map((x) => `${x.variable}=${x.value}`).join(', ') : tr(L.none)}`,
        ...(c.tunnels.length ? [`VPN/tunnel: ${c.tunnels.join(', ')}`] : []),
      ],
    });
  }

  if (d.trace) {
    const t = d.trace;
    const sum = summarizeTrace(t);
    const how = `${t.method === 'tcp-syn' ? 'TCP SYN' : t.method.toUpperCase()}${t.port !== undefined ? ` → ${t.port}` : ''}${t.tool ? ` (${t.tool})` : ''}`;
    blocks.push({ type: 'heading', level: 2, text: `${tr(L.trace)}: ${how}` });
    if (t.hops.length) {
      blocks.push({
        type: 'table',
        head: [tr(L.hop), tr(L.address), 'RTT', tr(L.loss), tr(L.where)],
        rows: sum.hops.map((h) => [
          String(h.ttl),
          h.address ?? `* (${tr(L.noAnswer)})`,
          h.rttMs.length ? h.rttMs.map((r) => `${r.toFixed(1)} ms`).join(' / ') : '—',
          `${Math.round(h.loss * 100)}%`,
          tr(L.zones[h.address !== null && h.address === t.targetAddress ? 'target' : h.zone] ?? L.unknown) + (h.class ? ` (${h.class})` : ''),
        ]),
      });
    }
    const end = `${tr(t.reached ? L.traceReached : L.traceNotReached)}${t.method !== 'tcp-syn' && t.method !== 'none' ? ` ${tr(L.traceOtherProtocol)}` : ''}`;
    blocks.push({ type: 'paragraph', text: `${end} ${(t.durationMs / 1000).toFixed(1)} s${t.error ? ` — ${t.error.detail}` : ''}` });
  }

  const s = d.cloud.snapshot;
  if (s) {
    blocks.push({ type: 'heading', level: 2, text: tr(L.cloud) });
    const inst = s.instance;
    blocks.push({
      type: 'list',
      items: [
        `${tr(L.region)}: ${s.region}`,
        `${tr(L.networkType)}: ${inst?.networkType ?? tr(L.unknown)}`,
        `${tr(L.instance)}: ${inst ? `${inst.id}${inst.name ? ` (${inst.name})` : ''}, ${inst.status}${inst.operationLocks.length ? `, locks: ${inst.operationLocks.join(', ')}` : ''}` : tr(L.unknown)}`,
        `${tr(L.publicAddress)}: ${inst?.eipAddress ? `EIP ${inst.eipAddress}` : inst?.publicIp ?? tr(L.none)}${inst ? `, InternetMaxBandwidthOut ${inst.internetMaxBandwidthOut} Mbps` : ''}`,
      ],
    });
    const rules: SecurityGroupRule[] = s.securityGroups.flatMap((g) => g.rules);
    const inbound = rules
      .filter((r) => r.direction === 'ingress')
      .sort((a, b) => a.priority - b.priority || (a.policy === b.policy ? 0 : a.policy === 'drop' ? -1 : 1) || a.order - b.order);
    if (rules.length) {
      blocks.push({ type: 'heading', level: 3, text: tr(L.groups) });
      blocks.push({
        type: 'table',
        head: ['#', 'Group', 'Rule', 'Priority', 'Policy', 'Protocol', 'Ports', 'Source'],
        rows: inbound.map((r, i) => [String(i + 1), r.groupId, r.id, String(r.priority), r.policy, r.rawProtocol, r.rawPortRange, peerText(r.peer)]),
      });
    }
    const ev = d.cloud.securityGroups;
    if (ev) {
      blocks.push({ type: 'paragraph', text: `${tr(L.decisions[ev.decision] ?? L.unknown)}${colon}${ev.decidedBy?.kind === 'rule' ? `${ev.decidedBy.containerId} / ${ev.decidedBy.ruleId} (priority ${ev.decidedBy.priority ?? '—'}, ${ev.decidedBy.policy})` : tr(evaluationWords(ev.explanation))}` });
      if (ev.nearMisses.length) {
        blocks.push({ type: 'heading', level: 3, text: tr(L.nearMisses) });
        blocks.push({ type: 'table', head: ['Rule', 'Reason', 'Detail'], rows: ev.nearMisses.map((n) => [`${n.containerId} / ${n.ruleId}`, tr(nearMissWords(n.reason)), n.detail]) });
      }
    }
    const acl = d.cloud.networkAcl;
    if (acl?.present) {
      blocks.push({ type: 'heading', level: 3, text: `${tr(L.acl)} ${acl.aclId ?? ''}` });
      blocks.push({ type: 'list', items: [
          `${tr(L.inbound)}${colon}${tr(L.decisions[acl.inbound.decision] ?? L.unknown)} — ${tr(evaluationWords(acl.inbound.explanation))}`,
          `${tr(L.returnPath)}${colon}${tr(L.decisions[acl.returnPath.decision] ?? L.unknown)} — ${tr(evaluationWords(acl.returnPath.explanation))}`,
        ] });
    }
    if (s.errors.length) {
      blocks.push({ type: 'heading', level: 3, text: tr(L.errors) });
      blocks.push({ type: 'list', items: s.errors.map((e) => `${e.action}: ${e.code} — ${e.message}${e.grant ? ` (grant ${e.grant})` : ''}${e.requestId ? ` [RequestId ${e.requestId}]` : ''}`) });
    }
  }

  if (d.server) {
    const sv = d.server;
    blocks.push({ type: 'heading', level: 2, text: `${tr(L.server)} (${sv.source}, ${sv.os})` });
    if (sv.listeners.length) {
      blocks.push({ type: 'table', head: [tr(L.listeners), tr(L.port), 'Process'], rows: sv.listeners.map((l) => [`${l.protocol} ${l.address}`, String(l.port), l.process ?? '—']) });
    }
    for (const fw of sv.firewall) {
      blocks.push({ type: 'paragraph', text: `${tr(L.firewall)} ${fw.kind}: ${fw.active === null ? tr(L.unknown) : fw.active ? 'active' : 'inactive'}; ${Object.entries(fw.allowsPort).map(([p, a]) => `${p}: ${a === null ? '?' : a ? 'allowed' : 'blocked'}`).join(', ')}` });
    }
    if (sv.raw) blocks.push({ type: 'code', text: sv.raw.length > 8000 ? `${sv.raw.slice(0, 8000)}\n…` : sv.raw });
  }

  if (d.notes.trim()) {
    blocks.push({ type: 'heading', level: 2, text: tr(L.notes) });
    blocks.push({ type: 'paragraph', text: d.notes });
  }
  return { title, blocks };
}

const SYMBOL = { ok: '✓', broken: '✗', unknown: '?' } as const;

/** The path as a picture (issue 12): the same segments the verdict card shows. */
function pathBlock(d: Diagnosis, lang: Lang, tr: (l: Localized) => string): Block {
  const segs = pathSegments(d);
  return {
    type: 'path',
    caption: tr(L.path),
    head: ['#', tr(L.segment), tr(L.status), tr(L.finding)],
    segments: segs.map((s) => {
      const mark = segmentMark(s);
      return {
        id: s.id,
        status: s.status,
        symbol: SYMBOL[s.status],
        label: tr(s.label),
        statusText: `${tr(SEGMENT_STATUS_WORDS[s.status])}${mark ? `${lang === 'zh-CN' ? '，' : ' — '}${tr(SEGMENT_MARK_WORDS[mark])}` : ''}`,
        isBreak: s.isBreak,
        ...(s.finding ? { finding: tr(s.finding) } : {}),
        ...(s.finding && (s.isBreak || s.conflict) ? { callout: `${tr(s.label)}${lang === 'zh-CN' ? '：' : ': '}${tr(SEGMENT_STATUS_WORDS[s.status])}${mark ? `${lang === 'zh-CN' ? '，' : ' — '}${tr(SEGMENT_MARK_WORDS[mark])}` : ''}` } : {}),
        ...(s.hops?.length ? { hops: tr({ en: `${s.hops.length} trace hop${s.hops.length === 1 ? '' : 's'}`, 'zh-CN': `追踪到 ${s.hops.length} 跳` }) } : {}),
      };
    }),
  };
}

function bannerText(b: BannerFact | undefined): string {
  if (!b) return '—';
  if (b.sshIdent) return b.sshIdent;
  if (b.http) return `${b.http.statusLine}${b.http.server ? ` (${b.http.server})` : ''}`;
  if (b.tls) return `${b.tls.protocol ?? 'TLS'} ${b.tls.subject ?? ''}${b.tls.expired ? ' (expired)' : ''}`;
  if (b.firstBytes) return b.firstBytes.slice(0, 60);
  return b.error ?? '—';
}

function peerText(p: SecurityGroupRule['peer']): string {
  switch (p.kind) {
    case 'cidr':
      return p.cidr;
    case 'group':
      return `group ${p.groupId}`;
    case 'prefix-list':
      return `prefix list ${p.prefixListId}`;
    default:
      return 'any';
  }
}

/** Same host (case, brackets) and port: a watch record only speaks for the target it watched. */
const sameTarget = (w: { host: string; port: number }, t: { host: string; port: number }): boolean =>
  w.port === t.port && w.host.replace(/^\[|\]$/g, '').toLowerCase() === t.host.replace(/^\[|\]$/g, '').toLowerCase();

/** "Works since: 14:02:11 (…; watched from this machine, attempt 5)" in the reader's language, local time. */
function worksSinceItems(w: WatchRecord | null | undefined, target: { host: string; port: number }, lang: Lang, when: (iso: string) => string): string[] {
  if (!w || !sameTarget(w, target) || Number.isNaN(Date.parse(w.worksSince))) return [];
  const clock = localClock(w.worksSince);
  return lang === 'zh-CN'
    ? [`${L.worksSince['zh-CN']}：自 ${clock} 起可以连通（${when(w.worksSince)}；从本机持续探测，第 ${w.attempts} 次尝试成功）`]
    : [`${L.worksSince.en}: ${clock} (${when(w.worksSince)}; watched from this machine, attempt ${w.attempts} connected)`];
}
