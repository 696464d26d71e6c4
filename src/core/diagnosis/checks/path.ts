// The path trace in the checklist (issue 12): where the probes of a hop-by-hop trace stop — inside the user's
// own network, beyond it (the carrier, the internet, the cloud's edge), or at the target itself. The check asks
// one thing: does the path leave the user's own network? It fails only on positive evidence — TCP SYNs to the
// diagnosed port that stop inside the user's own network while the target's address is public (or the user
// declared their networks) and no control host answers on the same port. A trace by another protocol (UDP,
// ICMP) says so and can only corroborate; it never fails the check.
import { L } from '../../i18n';
import { summarizeTrace, type ClassifiedHop, type TraceSummary } from '../../probe/trace/classify';
import { classifyAddress } from '../../probe/trace/classify';
import type { TraceFact } from '../../probe/trace/types';
import type { FactsView } from '../facts';
import { info } from '../fixes';
import type { EvidenceRef, Localized } from '../types';
import { ev, type CheckDef, type CheckOutcome } from './define';

export const PATH_TRACE_ID = 'path.trace';

/** What the verdict and the premises read from the trace (pure; null when no usable trace ran). */
export interface TraceReading {
  fact: TraceFact;
  summary: TraceSummary;
  /** TCP SYNs to the diagnosed port: the same protocol and port as the failing connection. */
  sameProtocol: boolean;
  /** Where the user's own network ends is known: the target's address is public, or the user declared their networks. */
  boundaryKnown: boolean;
}

export function readTrace(v: FactsView): TraceReading | null {
  const fact = v.trace;
  if (!fact || fact.method === 'none' || !fact.hops.length) return null;
  const summary = summarizeTrace(fact);
  const target = fact.targetAddress ?? v.probedAddress;
  const targetPublic = target !== null && classifyAddress(target) === 'public';
  return { fact, summary, sameProtocol: fact.method === 'tcp-syn' && fact.port === v.port, boundaryKnown: targetPublic || (fact.ownNetworks?.length ?? 0) > 0 };
}

const METHOD_WORDS: Record<TraceFact['method'], Localized> = {
  'tcp-syn': L('TCP SYN', 'TCP SYN'),
  udp: L('UDP', 'UDP'),
  icmp: L('ICMP', 'ICMP'),
  none: L('无', 'none'),
};

const CLASS_WORDS: Record<NonNullable<ClassifiedHop['class']>, string> = {
  private: 'private',
  cgnat: 'carrier NAT',
  loopback: 'loopback',
  'link-local': 'link-local',
  special: 'special-use',
  public: 'public',
};

const ZONE_WORDS: Record<ClassifiedHop['zone'], string> = { 'own-network': 'your network', beyond: 'beyond your network', unknown: 'side unknown' };

/** One hop as an evidence line (technical, as the evidence panel shows probe facts). */
export function hopLine(h: ClassifiedHop, target: string | null = null): string {
  if (h.address === null) return `${h.ttl}  *  (no answer)`;
  const ms = (r: number): string => (r < 0.05 ? '<0.1' : r.toFixed(r < 10 ? 1 : 0));
  const rtt = h.rttMs.length ? `${h.rttMs.map(ms).join('/')} ms` : '';
  const loss = h.loss > 0 ? `, ${Math.round(h.loss * 100)}% lost` : '';
  const unr = h.unreachable ? `, ${h.unreachable}` : '';
  const where = target !== null && h.address.toLowerCase() === target.toLowerCase() ? 'the server' : ZONE_WORDS[h.zone];
  return `${h.ttl}  ${h.address}  ${rtt}  (${h.class ? CLASS_WORDS[h.class] : '?'}, ${where}${loss}${unr})`;
}

/** The method line and one line per hop, pointing into /trace. */
export function traceEvidence(fact: TraceFact, summary: TraceSummary): EvidenceRef[] {
  const head = `${fact.method}${fact.port !== undefined ? ` to port ${fact.port}` : ''}${fact.tool ? ` (${fact.tool})` : ''} → ${fact.targetAddress ?? fact.target}: ${fact.reached ? 'target answered' : 'target did not answer'}, ${fact.hops.length} hop${fact.hops.length === 1 ? '' : 's'}, ${(fact.durationMs / 1000).toFixed(1)} s${fact.stopped ? `, stopped: ${fact.stopped}` : ''}${fact.ownNetworks?.length ? `, your networks: ${fact.ownNetworks.join(', ')}` : ''}`;
  return [ev('probe', '/trace', head), ...summary.hops.map((h, i) => ev('probe', `/trace/hops/${i}`, hopLine(h, fact.targetAddress)))];
}

const hopAt = (h: ClassifiedHop): string => `${h.address} (TTL ${h.ttl})`;

function noTrace(fact: TraceFact): CheckOutcome {
  const evidence = [ev('probe', '/trace', `${fact.method}: ${fact.error ? `${fact.error.kind}: ${fact.error.detail}` : fact.stopped ?? 'no hop'}`)];
  if (fact.error?.kind === 'no-tool') {
    return {
      status: 'unknown',
      condition: 'no-tool',
      finding: L('这台电脑上没有路径追踪工具（traceroute、tracepath 或 tracert），没有追踪路径', 'No path-trace tool on this computer (traceroute, tracepath or tracert): the path was not traced'),
      evidence,
      fixes: [info('安装 traceroute：Debian/Ubuntu 运行 sudo apt install traceroute，Fedora/RHEL 运行 sudo dnf install traceroute；macOS 和 Windows 自带', 'Install traceroute: on Debian/Ubuntu sudo apt install traceroute, on Fedora/RHEL sudo dnf install traceroute; macOS and Windows have one built in', 'client')],
    };
  }
  if (fact.stopped === 'cancelled') return { status: 'unknown', condition: 'cancelled', finding: L('路径追踪被取消，没有得到任何一跳', 'The path trace was cancelled before any hop answered'), evidence };
  return {
    status: 'unknown',
    condition: 'no-hops',
    finding: L(`路径追踪没有结果${fact.error ? `（${fact.error.detail}）` : ''}`, `The path trace gave no result${fact.error ? ` (${fact.error.detail})` : ''}`),
    evidence,
  };
}

export const pathTrace: CheckDef = {
  id: PATH_TRACE_ID,
  layer: 'network',
  title: L('数据包能走出你的网络（路径追踪）', 'The packets get out of your own network (path trace)'),
  explanation: L(
    '路径追踪逐跳（TTL 逐渐增大）发送探测包，记下每一跳回应的路由器，看数据包停在哪里：你自己的网络里（家庭路由器、公司网络）、运营商和互联网上、云的边缘，还是到达了服务器。用 TCP SYN 追踪到诊断的端口时，它和连接失败的是同一种流量；UDP 或 ICMP 追踪是另一种协议，只能作为旁证。',
    'A path trace sends probes with a rising TTL, hop by hop, and records which router answers at each hop, to see where the packets stop: inside your own network (home router, office network), at the carrier or on the internet, at the cloud’s edge, or at the server. A TCP SYN trace to the diagnosed port is the same traffic as the failing connection; a UDP or ICMP trace is another protocol and can only corroborate.',
  ),
  needs: ['probes', 'trace'],
  present: (facts) => facts.trace !== undefined && facts.trace !== null,
  run(v) {
    const fact = v.trace;
    if (!fact) return { status: 'unknown', condition: 'not-run', finding: L('没有追踪路径', 'The path was not traced') };
    const r = readTrace(v);
    if (!r) return noTrace(fact);
    const { summary: s } = r;
    const evidence = traceEvidence(fact, s);
    const how = r.sameProtocol ? L(`发往 ${v.port} 端口的 TCP SYN 包`, `TCP SYNs to port ${v.port}`) : L(`${METHOD_WORDS[fact.method]['zh-CN']} 探测包`, `${METHOD_WORDS[fact.method].en} probes`);
    const other = r.sameProtocol
      ? null
      : L(`（这是 ${METHOD_WORDS[fact.method]['zh-CN']}，不是连接所用的 TCP ${v.port}：只能作为旁证）`, ` (this is ${METHOD_WORDS[fact.method].en}, not the TCP ${v.port} of the connection: it can only corroborate)`);
    const tail = (x: Localized): Localized => (other ? L(x['zh-CN'] + other['zh-CN'], x.en + other.en) : x);
    const last = s.lastAnswering;

    if (s.stoppedIn === 'target') {
      return {
        status: 'pass',
        condition: r.sameProtocol ? 'reached-tcp' : 'reached-other-protocol',
        finding: tail(L(`${how['zh-CN']}到达了服务器 ${fact.targetAddress ?? fact.target}（${fact.hops.length} 跳）`, `${how.en} reach the server ${fact.targetAddress ?? fact.target} (${fact.hops.length} hop${fact.hops.length === 1 ? '' : 's'})`)),
        evidence,
      };
    }
    if (s.stoppedIn === 'unknown' || !last) {
      return { status: 'unknown', condition: 'no-hop-answered', finding: tail(L(`${how['zh-CN']}没有得到任何一跳的回应：无法看出停在哪里`, `No hop answered the ${how.en}: where they stop cannot be seen`)), evidence };
    }
    if (s.stoppedIn === 'beyond') {
      return {
        status: 'pass',
        condition: r.sameProtocol ? 'beyond-own-network-tcp' : 'beyond-own-network-other-protocol',
        finding: tail(
          L(
            `${how['zh-CN']}走出了你的网络：最后回应的是 ${hopAt(last)}，在你的网络之外；服务器本身没有回应`,
            `${how.en} get out of your network: the last hop that answers is ${hopAt(last)}, beyond your network; the server itself does not answer`,
          ),
        ),
        evidence,
      };
    }
    // Stopped inside the user's own network.
    if (!r.boundaryKnown) {
      return {
        status: 'unknown',
        condition: 'private-target',
        finding: L(
          `最后回应的是 ${hopAt(last)}；目标地址是内网地址，路径上全是内网地址，无法区分你的网络和目标所在的网络；在命令行里指明哪些网段属于你自己的网络即可区分`,
          `The last hop that answers is ${hopAt(last)}; the target’s address is private, so every hop is private and your network cannot be told from the target’s; naming the networks that are yours (on the command line) tells them apart`,
        ),
        evidence,
      };
    }
    const lastWords = L(`最后回应的是你自己网络里的 ${hopAt(last)}，之后没有任何一跳回应，服务器也没有`, `the last hop that answers is ${hopAt(last)} inside your own network; no hop after it answers, nor does the server`);
    if (!r.sameProtocol) {
      return {
        status: 'warn',
        condition: 'other-protocol-stops-in-own-network',
        finding: tail(L(`${how['zh-CN']}停在你自己的网络里：${lastWords['zh-CN']}`, `${how.en} stop inside your own network: ${lastWords.en}`)),
        evidence,
      };
    }
    const same = v.controlSamePort.filter((c) => c.errno !== 'ENOTFOUND');
    const ok = same.filter((c) => c.state === 'open');
    if (ok.length) {
      return {
        status: 'unknown',
        condition: 'own-network-stop-control-ok',
        finding: L(
          `${how['zh-CN']}停在你的网络里（${lastWords['zh-CN']}），但对照主机 ${ok.map((c) => `${c.host}:${c.port}`).join('、')} 同端口可达：你的网络并没有封这个端口，后面的路由器可能只是不回应`,
          `${how.en} stop inside your network (${lastWords.en}), yet the control host ${ok.map((c) => `${c.host}:${c.port}`).join(', ')} answers on the same port: your network does not block this port; the routers after it may simply not answer`,
        ),
        evidence,
      };
    }
    return {
      status: 'fail',
      condition: 'tcp-stops-in-own-network',
      finding: L(`${how['zh-CN']}停在你自己的网络里：${lastWords['zh-CN']}`, `${how.en} stop inside your own network: ${lastWords.en}`),
      evidence,
      fixes: [
        info(
          `换一个网络（如手机热点）再试；或请网络管理员检查 ${hopAt(last)} 之后的出口防火墙，放行出方向 TCP ${v.port}`,
          `Try another network (e.g. a phone hotspot); or ask the network admin to check the egress firewall after ${hopAt(last)} and allow outbound TCP ${v.port}`,
          'client',
        ),
      ],
    };
  },
};

export const PATH_CHECKS: readonly CheckDef[] = [pathTrace];
