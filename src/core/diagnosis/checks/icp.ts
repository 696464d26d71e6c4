// ICP-filing (备案) interception: in mainland-China regions a domain without an ICP filing with this
// provider is blocked by NAME (HTTP Host, TLS SNI) while the same server still answers by IP. The probe
// (src/core/probe/icp.ts) sends both requests to the same address; this check reads its decision.
// Premises of the finding "intercepted for a missing filing": (1) the target is a name on a web port,
// (2) the request by IP is answered and the one by name is cut off or answered by someone else, (3) the
// instance is in a mainland region. Without (3) known, the behaviour is reported as a warning only.
import { L } from '../../i18n';
import { icpSchemeFor, isMainlandRegion } from '../../probe/icp';
import type { IcpFact } from '../../probe/types';
import { parseIp } from '../../rules/cidr';
import type { FactsView } from '../facts';
import type { Fix, Localized } from '../types';
import { ev, type CheckDef, type CheckOutcome } from './define';


function fixes(v: FactsView, fact: IcpFact): Fix[] {
  const scheme = fact.scheme;
  const byIp = `${scheme}://${fact.address.includes(':') ? `[${fact.address}]` : fact.address}${(scheme === 'http' && fact.port === 80) || (scheme === 'https' && fact.port === 443) ? '' : `:${fact.port}`}/`;
  // The filing console and the regions outside the mainland are the run's cloud's (its semantics); facts
  // built without a provider get the words without a link.
  const filing = v.semantics?.icpFiling ?? null;
  const file = L(
    `为域名 ${fact.host} 办理 ICP 备案；已在其他服务商备案的，在这台服务器的云服务商办理接入备案（ICP 备案控制台）`,
    `File an ICP filing for ${fact.host}; if it is already filed with another provider, transfer the filing to this server's cloud (its ICP filing console)`,
  );
  return [
    filing ? { kind: 'console', title: file, url: filing.console } : { kind: 'info', title: file },
    {
      kind: 'info',
      title: L(
        `不想备案：把网站迁到中国内地以外的地域${filing ? `（如${filing.regionsOutsideMainland['zh-CN']}）` : ''}${v.region ? `，当前地域是 ${v.region}` : ''}`,
        `To avoid the filing: move the site to a region outside the mainland${filing ? ` (e.g. ${filing.regionsOutsideMainland.en})` : ''}${v.region ? `; the instance is in ${v.region}` : ''}`,
      ),
    },
    {
      kind: 'client',
      title: L('备案完成前，先用 IP 地址访问测试（不带域名）', 'Until the filing is done, test by IP address (without the name)'),
      command: `curl -sk -o /dev/null -w '%{http_code}\\n' ${byIp}`,
    },
  ];
}

const HOW: Record<string, Localized> = {
  'name-reset': L('带域名的请求一发出，连接就被重置（RST）', 'the connection is reset (RST) as soon as the request carrying the name is sent'),
  'name-closed': L('带域名的请求一发出，连接就被关闭', 'the connection is closed as soon as the request carrying the name is sent'),
  'sni-reset': L('带 SNI 域名的 TLS 握手一发出，连接就被重置', 'the connection is reset as soon as the TLS ClientHello carrying the name (SNI) is sent'),
  'sni-closed': L('带 SNI 域名的 TLS 握手一发出，连接就被关闭', 'the connection is closed as soon as the TLS ClientHello carrying the name (SNI) is sent'),
  'block-page': L('带域名的请求收到的是拦截提示页', 'the request carrying the name gets an interception notice'),
  'different-server': L('带域名的请求由另一个服务器应答（Server 头不同）', 'the request carrying the name is answered by another server (a different Server header)'),
  'foreign-redirect': L('带域名的请求被重定向到别的网站', 'the request carrying the name is redirected to another site'),
  'name-silent': L('带域名的请求发出后没有任何应答', 'the request carrying the name gets no answer at all'),
  'name-forbidden': L('带域名的请求被拒绝（403/451），页面与用 IP 访问时不同', 'the request carrying the name is refused (403/451) with another page than by IP'),
};

function evidence(fact: IcpFact): CheckOutcome['evidence'] {
  return [
    ev('probe', '/probes/icp/byIp', fact.decision.observations[0] ?? ''),
    ev('probe', '/probes/icp/byName', fact.decision.observations[1] ?? ''),
    ...fact.decision.observations.slice(2).map((o) => ev('probe', '/probes/icp/decision', o)),
  ];
}

export const netIcpFiling: CheckDef = {
  id: 'net.icp-filing',
  layer: 'network',
  title: L('域名没有因未备案被拦截', 'The domain is not intercepted for a missing ICP filing'),
  explanation: L(
    '中国内地地域的服务器上，没有 ICP 备案（或备案没有接入本服务商）的域名会被按域名拦截：用 IP 能访问，用域名访问时连接被重置或返回拦截页。本检查向同一地址各发一次请求：一次用 IP（Host 为 IP，不带 SNI），一次用域名（Host 与 SNI 为域名），并比较结果。',
    'In mainland-China regions, a domain without an ICP filing (or whose filing is not with this provider) is blocked by name: the server answers by IP, but a request for the domain is reset or gets an interception page. This check sends the same request twice to the same address, once by IP (Host is the IP, no SNI) and once by name (Host and SNI are the name), and compares the results.',
  ),
  // The region decides the status: wait for the cloud read too (a live list without cloud data shows it at the end).
  needs: ['probes', 'cloud'],
  run(v): CheckOutcome {
    const target = v.facts.target;
    if (parseIp(target.host)) return { status: 'skipped', condition: 'ip-target', finding: L('目标是 IP 地址：备案拦截只针对域名', 'The target is an IP address: filing interception only acts on names') };
    if (v.protocol !== 'tcp' || !icpSchemeFor(v.port, target.service)) {
      return { status: 'skipped', condition: 'not-web', finding: L(`端口 ${v.port} 不是网站（HTTP/HTTPS）端口：备案拦截只针对网站访问`, `Port ${v.port} is not a web (HTTP/HTTPS) port: filing interception only acts on web traffic`) };
    }
    const mainland = isMainlandRegion(v.region);
    if (mainland === false) {
      return { status: 'skipped', condition: 'not-mainland', finding: L(`实例在 ${v.region}，不在中国内地：不需要 ICP 备案`, `The instance is in ${v.region}, outside the mainland: no ICP filing is required`) };
    }
    const probes = v.facts.probes;
    if (!probes) return { status: 'unknown', condition: 'no-probes', finding: L('没有探测数据', 'No probe data') };
    const fact = probes.icp;
    if (!fact) {
      if (v.tcp && v.tcp.state !== 'open') return { status: 'unknown', condition: 'not-connected', finding: L('端口连不上，无法比较用 IP 和用域名访问', 'The port does not connect, so requests by IP and by name could not be compared') };
      return { status: 'unknown', condition: 'not-compared', finding: L('没有比较用 IP 和用域名访问', 'Requests by IP and by name were not compared') };
    }
    // Premise: the address compared is this instance's (else the region says nothing about that server).
    const known = [...v.publicAddresses, ...v.privateAddresses];
    if (v.hasCloud && !known.includes(parseIp(fact.address)?.text ?? fact.address)) {
      return {
        status: 'unknown',
        condition: 'not-instance-address',
        finding: L(`比较的地址 ${fact.address} 不是这台实例的地址（${known.join('、') || '无'}），无法据此判断备案拦截`, `The compared address ${fact.address} is not this instance’s (${known.join(', ') || 'none'}), so it says nothing about a filing interception here`),
        evidence: evidence(fact),
      };
    }
    const d = fact.decision;
    const regionWords = mainland === null ? L('（实例地域未知：没有云端数据）', ' (the instance’s region is unknown: no cloud data)') : L(`（实例在中国内地地域 ${v.region}）`, ` (the instance is in the mainland region ${v.region})`);
    const how = HOW[d.condition] ?? L('带域名的请求被拦截', 'the request carrying the name is blocked');
    if (d.status === 'blocked') {
      // Premises of the inference, named in the evidence: the region, and a direct path (no VPN on the client,
      // whose own filter could block by name as well).
      const client = probes.client;
      const tunnel = client.tunnels.length > 0 || client.defaultRoute?.viaTunnel === true;
      const premises = [
        ev('cloud', '/cloud/snapshot/instance/region', `RegionId=${v.region ?? 'unknown'} (mainland: ${mainland === null ? 'unknown' : mainland ? 'yes' : 'no'})`),
        ev('client', '/probes/client/tunnels', tunnel ? `client tunnels: ${client.tunnels.join(', ') || 'default route via a tunnel'}` : 'no VPN tunnel on the client'),
      ];
      if (mainland && tunnel) {
        return {
          status: 'warn',
          condition: `${d.condition}-via-tunnel`,
          finding: L(
            `用 IP 访问 ${fact.address}:${fact.port} 正常，但${how['zh-CN']}${regionWords['zh-CN']}；不过本机的流量经过 VPN（${client.tunnels.join('、') || '默认路由'}），也可能是 VPN 一侧按域名过滤：断开 VPN 再试一次`,
            `${fact.address}:${fact.port} answers by IP, but ${how.en}${regionWords.en}; your traffic goes through a VPN (${client.tunnels.join(', ') || 'the default route'}), whose side may filter by name too: try again without the VPN`,
          ),
          evidence: [...(evidence(fact) ?? []), ...premises],
          fixes: fixes(v, fact),
        };
      }
      if (mainland) {
        return {
          status: 'fail',
          condition: d.condition,
          finding: L(
            `域名 ${fact.host} 因未备案被拦截：用 IP 访问 ${fact.address}:${fact.port} 正常，但${how['zh-CN']}${regionWords['zh-CN']}`,
            `The domain ${fact.host} is intercepted for a missing ICP filing: ${fact.address}:${fact.port} answers by IP, but ${how.en}${regionWords.en}`,
          ),
          evidence: [...(evidence(fact) ?? []), ...premises],
          fixes: fixes(v, fact),
        };
      }
      return {
        status: 'warn',
        condition: `${d.condition}-region-unknown`,
        finding: L(
          `用 IP 访问 ${fact.address}:${fact.port} 正常，但${how['zh-CN']}${regionWords['zh-CN']}；如果实例在中国内地，这是未备案拦截`,
          `${fact.address}:${fact.port} answers by IP, but ${how.en}${regionWords.en}; if the instance is in the mainland, this is the interception of a domain without an ICP filing`,
        ),
        evidence: [...(evidence(fact) ?? []), ...premises],
        fixes: fixes(v, fact),
      };
    }
    if (d.status === 'suspect') {
      return {
        status: 'warn',
        condition: d.condition,
        finding: L(`用 IP 访问正常，但${how['zh-CN']}：可能是未备案拦截，也可能是网站自己的设置${regionWords['zh-CN']}`, `The server answers by IP, but ${how.en}: possibly a filing interception, possibly the site’s own setting${regionWords.en}`),
        evidence: evidence(fact),
        fixes: fixes(v, fact),
      };
    }
    if (d.status === 'clear' && d.condition === 'name-answers') {
      return { status: 'pass', condition: d.condition, finding: L(`用域名 ${fact.host} 访问有应答：没有被拦截`, `The request for ${fact.host} is answered: no interception`), evidence: evidence(fact) };
    }
    if (d.status === 'clear') {
      return { status: 'pass', condition: d.condition, finding: L(`用域名 ${fact.host} 访问与用 IP 访问由同一服务器应答：没有被拦截`, `Requests for ${fact.host} and for the IP are answered by the same server: no interception`), evidence: evidence(fact) };
    }
    return { status: 'unknown', condition: d.condition, finding: L('用 IP 访问也没有得到应答，无法比较', 'The request by IP got no answer either, so nothing could be compared'), evidence: evidence(fact) };
  },
};

export const ICP_CHECKS: CheckDef[] = [netIcpFiling];

/**
 * For other checks: the name is intercepted while the server answers by IP, so a failed application read
 * by name is not the application's fault. Returns the by-IP status line, or null.
 */
export function answersByIpWhileNameBlocked(v: FactsView): string | null {
  const f = v.facts.probes?.icp;
  if (!f || f.decision.status !== 'blocked' || !f.byIp.http || isMainlandRegion(v.region) === false) return null;
  if (v.tcp && v.tcp.address !== f.address) return null;
  return f.byIp.http.statusLine;
}
