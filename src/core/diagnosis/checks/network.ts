// Checks between the client and the OS that are not security-group rules (seed 000 §二, §四; seed 004):
// instance state and locks, public IP / EIP and bandwidth, network ACL (stateless: inbound and the return
// ephemeral range), carrier-blocked ports, TCP 25, and what a failing ping does and does not mean.
import { L } from '../../i18n';
import { cloudUnknown, instanceEip, isLoopback, type FactsView } from '../facts';
import { info, intentFix } from '../fixes';
import { ev, type CheckDef, type CheckOutcome } from './define';
import { allowFlowFixes, clientCidrOrNull } from './sg';
import { evaluationWords } from '../words';

const noCloud = (): CheckOutcome => ({ status: 'unknown', condition: 'no-cloud', finding: L('没有云端配置数据', 'No cloud configuration') });
const noInstance = (): CheckOutcome => ({ status: 'unknown', condition: 'no-instance', finding: L('云端没有找到这台实例', 'The instance was not found in the cloud data') });

/** Is the probed address one of the instance's private addresses (VPN / same VPC access)? */
const privatePath = (v: FactsView): boolean => v.probedAddress !== null && v.privateAddresses.includes(v.probedAddress);

export const instanceRunning: CheckDef = {
  id: 'instance.running',
  layer: 'network',
  title: L('实例处于运行中', 'The instance is running'),
  explanation: L('已停止、启动中或停止中的实例不接受连接,所有端口都会超时。', 'A stopped, starting or stopping instance accepts no connections: every port times out.'),
  needs: ['cloud'],
  run(v) {
    if (!v.snapshot) return noCloud();
    const inst = v.instance;
    if (!inst) return cloudUnknown(v, 'instance') ? { status: 'unknown', condition: 'read-failed', finding: L(`读取实例失败:${cloudUnknown(v, 'instance')}`, `Reading the instance failed: ${cloudUnknown(v, 'instance')}`) } : noInstance();
    const evidence = [ev('cloud', '/cloud/snapshot/instance/status', `Status=${inst.status}`)];
    if (inst.status === 'Running') return { status: 'pass', condition: 'running', finding: L(`实例 ${inst.id} 运行中`, `Instance ${inst.id} is Running`), evidence };
    return {
      status: 'fail',
      condition: `status-${String(inst.status).toLowerCase()}`,
      finding: L(`实例 ${inst.id} 的状态是 ${inst.status},不是运行中`, `Instance ${inst.id} is ${inst.status}, not Running`),
      evidence,
      fixes:
        inst.status === 'Stopped' && !inst.operationLocks.some((l) => l === 'financial' || l === 'frozen')
          ? [intentFix({ kind: 'start-instance', instanceId: inst.id })]
          : [info(`在云控制台查看实例 ${inst.id} 的状态，等它进入运行中`, `Check the state of instance ${inst.id} in the cloud console and wait until it is Running`, 'console')],
    };
  },
};

export const instanceOverdue: CheckDef = {
  id: 'instance.overdue-lock',
  layer: 'network',
  title: L('实例没有因欠费被停机', 'The instance is not stopped for an overdue payment'),
  explanation: L('账户欠费时实例会被停机并加上 financial 锁(欠费停机),充值结清后才能启动。', 'When the account is overdue the instance is stopped with a financial operation lock (欠费停机); it starts again only after the bill is paid.'),
  needs: ['cloud'],
  run(v) {
    if (!v.snapshot) return noCloud();
    const inst = v.instance;
    if (!inst) return noInstance();
    const evidence = [ev('cloud', '/cloud/snapshot/instance/operationLocks', `OperationLocks=[${inst.operationLocks.join(',')}]`)];
    if (inst.operationLocks.includes('financial')) {
      return {
        status: 'fail',
        condition: 'financial-lock',
        finding: L(`实例 ${inst.id} 因欠费被锁定(LockReason=financial)`, `Instance ${inst.id} is locked for an overdue payment (LockReason=financial)`),
        evidence,
        // Starting does not work while the lock holds: settling the bill comes first (no start command here).
        fixes: [info('费用与成本控制台 → 充值并结清欠费;结清后实例会自动或手动重新启动', 'Billing console → top up and settle the overdue bill; the instance then restarts (automatically or by you)', 'console')],
      };
    }
    if (inst.operationLocks.includes('frozen')) {
      // The cloud froze the server (Huawei Cloud: ShowServer metadata EcmResStatus "freeze"). Huawei freezes a
      // server above all when the account is in arrears ("按需计费资源欠费前后的影响": a frozen server is shut down
      // and cannot be started by the user; after unfreezing it must be started again), less often for a violation.
      return {
        status: 'fail',
        condition: 'frozen',
        finding: L(`实例 ${inst.id} 已被云平台冻结（多为账户欠费）：冻结期间实例关机，无法自行启动`, `Instance ${inst.id} is frozen by the cloud (most often for an overdue bill): while frozen it is shut down and cannot be started`),
        evidence,
        fixes: [info('费用中心 → 查看欠费并充值结清（如因违规冻结，按通知整改后申请解冻）；解冻后需要自己开机', 'Billing center → settle the overdue bill (if it was frozen for a violation, remediate as the notice says and ask for unfreezing); after unfreezing, start the server yourself', 'console')],
      };
    }
    return { status: 'pass', condition: 'no-financial-lock', finding: L('没有欠费锁', 'No overdue lock'), evidence };
  },
};

export const instanceSecurityLock: CheckDef = {
  id: 'instance.security-lock',
  layer: 'network',
  title: L('实例没有被安全锁定', 'The instance is not under a security lock'),
  explanation: L('被判定存在安全风险(如对外攻击、违规内容)的实例会被加 security 锁并限制网络。', 'An instance found to be a security risk (attacking others, prohibited content) gets a security lock and restricted networking.'),
  needs: ['cloud'],
  run(v) {
    if (!v.snapshot) return noCloud();
    const inst = v.instance;
    if (!inst) return noInstance();
    const locks = inst.operationLocks.filter((l) => l !== 'financial' && l !== 'frozen');
    const evidence = [ev('cloud', '/cloud/snapshot/instance/operationLocks', `OperationLocks=[${inst.operationLocks.join(',')}]`)];
    if (locks.includes('security')) {
      return { status: 'fail', condition: 'security-lock', finding: L(`实例 ${inst.id} 被安全锁定(LockReason=security)`, `Instance ${inst.id} is under a security lock (LockReason=security)`), evidence, fixes: [info('查看站内信/安全中心的通知,处理后提交工单解锁', 'Read the notice in the message centre / Security Center, remediate, and open a ticket to unlock', 'console')] };
    }
    if (locks.length) return { status: 'warn', condition: 'other-lock', finding: L(`实例有操作锁:${locks.join(', ')}`, `The instance has operation locks: ${locks.join(', ')}`), evidence };
    return { status: 'pass', condition: 'no-lock', finding: L('没有安全锁', 'No security lock'), evidence };
  },
};

export const netPublicIp: CheckDef = {
  id: 'net.public-ip',
  layer: 'network',
  title: L('实例有公网地址(公网 IP 或 EIP)', 'The instance has a public address (public IP or EIP)'),
  explanation: L('只有内网 IP 的 VPC 实例无法从公网直接访问;需要分配公网 IP 或绑定弹性公网 IP(EIP)。', 'A VPC instance with only a private IP cannot be reached from the Internet: it needs a public IP or an elastic IP (EIP).'),
  needs: ['cloud', 'probes', 'rules'],
  run(v) {
    if (!v.snapshot) return noCloud();
    const inst = v.instance;
    if (!inst) return noInstance();
    if (privatePath(v)) return { status: 'skipped', condition: 'private-path', finding: L(`探测的是内网地址 ${v.probedAddress}(VPN/专线/同 VPC),不需要公网地址`, `The probed address ${v.probedAddress} is private (VPN / leased line / same VPC); no public address is needed`) };
    const evidence = [ev('cloud', '/cloud/snapshot/instance', `PublicIpAddress=${inst.publicIp ?? '-'} EipAddress=${inst.eipAddress ?? '-'}`)];
    if (v.publicAddresses.length) return { status: 'pass', condition: 'has-public-address', finding: L(`公网地址:${v.publicAddresses.join(', ')}`, `Public address(es): ${v.publicAddresses.join(', ')}`), evidence };
    return {
      status: 'fail',
      condition: 'no-public-address',
      finding: L(`实例 ${inst.id} 没有公网 IP,也没有绑定 EIP`, `Instance ${inst.id} has no public IP and no EIP`),
      evidence,
      fixes: [intentFix({ kind: 'bind-public-ip', instanceId: inst.id, eipId: null })],
    };
  },
};

export const netEip: CheckDef = {
  id: 'net.eip',
  layer: 'network',
  title: L('EIP 已绑定到这台实例', 'The EIP is bound to this instance'),
  explanation: L('EIP 需处于“已分配/InUse”且绑定在本实例(或其网卡)上;未绑定(Available)的 EIP 不会转发流量。', 'An EIP must be InUse and bound to this instance (or its interface); an unbound (Available) EIP forwards nothing.'),
  needs: ['cloud', 'probes', 'rules'],
  run(v) {
    if (!v.snapshot) return noCloud();
    const inst = v.instance;
    if (!inst) return noInstance();
    const target = v.probedAddress;
    const byTarget = target ? v.snapshot.eips.find((e) => e.ipAddress === target) : undefined;
    const eip = byTarget ?? instanceEip(v.snapshot);
    if (!eip) {
      if (inst.eipAddress) return { status: 'pass', condition: 'eip-on-instance', finding: L(`实例绑定了 EIP ${inst.eipAddress}`, `EIP ${inst.eipAddress} is bound to the instance`), evidence: [ev('cloud', '/cloud/snapshot/instance/eipAddress', inst.eipAddress)] };
      return { status: 'skipped', condition: 'no-eip', finding: L('实例没有使用 EIP', 'The instance uses no EIP') };
    }
    const idx = v.snapshot.eips.indexOf(eip);
    const evidence = [ev('cloud', `/cloud/snapshot/eips/${idx}`, `${eip.allocationId} ${eip.ipAddress} Status=${eip.status} InstanceId=${eip.instanceId ?? '-'}`)];
    const mine = eip.instanceId === inst.id || v.snapshot.interfaces.some((i) => i.id === eip.instanceId);
    if (eip.status === 'InUse' && mine) return { status: 'pass', condition: 'bound', finding: L(`EIP ${eip.ipAddress} 已绑定`, `EIP ${eip.ipAddress} is bound`), evidence };
    return {
      status: 'fail',
      condition: eip.status === 'InUse' ? 'bound-elsewhere' : 'not-bound',
      finding: L(`EIP ${eip.ipAddress}(${eip.allocationId})状态 ${eip.status},${eip.instanceId ? `绑定在 ${eip.instanceId}` : '未绑定'}`, `EIP ${eip.ipAddress} (${eip.allocationId}) is ${eip.status}${eip.instanceId ? `, bound to ${eip.instanceId}` : ', not bound'}`),
      evidence,
      fixes: [intentFix({ kind: 'bind-public-ip', instanceId: inst.id, eipId: eip.allocationId })],
    };
  },
};

export const netEipFinancialLock: CheckDef = {
  id: 'net.eip-financial-lock',
  layer: 'network',
  title: L('EIP 没有因欠费被锁定', 'The EIP is not locked for an overdue payment'),
  explanation: L('欠费时 EIP 会被锁定(BusinessStatus=FinancialLocked),流量中断。', 'When the account is overdue an EIP is locked (BusinessStatus=FinancialLocked) and stops forwarding.'),
  needs: ['cloud'],
  run(v) {
    if (!v.snapshot) return noCloud();
    const eip = instanceEip(v.snapshot);
    if (!eip) return { status: 'skipped', condition: 'no-eip', finding: L('实例没有使用 EIP', 'The instance uses no EIP') };
    const evidence = [ev('cloud', `/cloud/snapshot/eips/${v.snapshot.eips.indexOf(eip)}/businessStatus`, `BusinessStatus=${eip.businessStatus ?? '-'}`)];
    if (eip.businessStatus === 'FinancialLocked') return { status: 'fail', condition: 'financial-locked', finding: L(`EIP ${eip.ipAddress} 因欠费被锁定`, `EIP ${eip.ipAddress} is locked for an overdue payment`), evidence, fixes: [info('费用与成本控制台 → 结清欠费', 'Billing console → settle the overdue bill', 'console')] };
    if (eip.businessStatus === 'SecurityProtected') return { status: 'warn', condition: 'security-protected', finding: L(`EIP ${eip.ipAddress} 处于安全保护状态(可能被黑洞)`, `EIP ${eip.ipAddress} is security-protected (possibly black-holed)`), evidence };
    return { status: 'pass', condition: 'normal', finding: L(`EIP ${eip.ipAddress} 状态正常`, `EIP ${eip.ipAddress} is in good standing`), evidence };
  },
};

export const netEipBandwidth: CheckDef = {
  id: 'net.eip-bandwidth',
  layer: 'network',
  title: L('公网带宽大于 0', 'Public bandwidth is above 0'),
  explanation: L('公网出带宽为 0 时没有公网出口,连接建立不起来;带宽很小(1 Mbps)时大页面或文件传输会很慢或超时。', 'With 0 Mbps of public outbound bandwidth there is no Internet path and connections fail; very small bandwidth (1 Mbps) makes large transfers slow or time out.'),
  needs: ['cloud'],
  run(v) {
    if (!v.snapshot) return noCloud();
    const inst = v.instance;
    if (!inst) return noInstance();
    if (privatePath(v)) return { status: 'skipped', condition: 'private-path', finding: L('内网访问,与公网带宽无关', 'Private access: public bandwidth does not matter') };
    const eip = instanceEip(v.snapshot);
    if (eip) {
      const evidence = [ev('cloud', `/cloud/snapshot/eips/${v.snapshot.eips.indexOf(eip)}/bandwidthMbps`, `Bandwidth=${eip.bandwidthMbps}`)];
      if (eip.bandwidthMbps <= 0) return { status: 'fail', condition: 'eip-zero-bandwidth', finding: L(`EIP ${eip.ipAddress} 带宽为 0`, `EIP ${eip.ipAddress} has 0 Mbps`), evidence, fixes: [intentFix({ kind: 'public-bandwidth', instanceId: inst.id, eipId: eip.allocationId, mbps: 5 })] };
      return { status: 'pass', condition: 'eip-bandwidth', finding: L(`EIP 带宽 ${eip.bandwidthMbps} Mbps`, `EIP bandwidth ${eip.bandwidthMbps} Mbps`), evidence };
    }
    if (!inst.publicIp) return { status: 'skipped', condition: 'no-public-ip', finding: L('没有公网 IP', 'No public IP') };
    const evidence = [ev('cloud', '/cloud/snapshot/instance/internetMaxBandwidthOut', `InternetMaxBandwidthOut=${inst.internetMaxBandwidthOut}`)];
    if (inst.internetMaxBandwidthOut <= 0) return { status: 'fail', condition: 'zero-bandwidth', finding: L('公网出带宽为 0 Mbps', 'Public outbound bandwidth is 0 Mbps'), evidence, fixes: [intentFix({ kind: 'public-bandwidth', instanceId: inst.id, mbps: 5 })] };
    return { status: 'pass', condition: 'bandwidth', finding: L(`公网出带宽 ${inst.internetMaxBandwidthOut} Mbps`, `Public outbound bandwidth ${inst.internetMaxBandwidthOut} Mbps`), evidence };
  },
};

export const netAddressIsInstance: CheckDef = {
  id: 'net.slb-or-nat-address',
  layer: 'network',
  title: L('探测的地址属于这台实例', 'The probed address belongs to this instance'),
  explanation: L('地址若属于负载均衡(SLB/CLB/ALB)、NAT 网关的 DNAT 或另一台实例,那里的监听、转发规则和后端安全组才是关键。', 'If the address belongs to a load balancer (SLB/CLB/ALB), a NAT gateway DNAT entry or another instance, its listeners, forwarding entries and backend groups are what matter.'),
  needs: ['cloud', 'probes', 'rules'],
  run(v) {
    if (!v.snapshot) return noCloud();
    const addr = v.probedAddress;
    if (!addr) return { status: 'unknown', condition: 'no-address', finding: L('没有探测到地址', 'No address was probed') };
    if (isLoopback(addr)) return { status: 'skipped', condition: 'loopback', finding: L(`${addr} 是这台电脑自己(本机回环地址),不是云服务器`, `${addr} is this computer itself (a loopback address), not a cloud server`) };
    if (!v.instance) {
      return { status: 'warn', condition: 'no-instance-for-address', finding: L(`${addr} 不属于本账号在 ${v.snapshot.region} 的任何实例(可能是负载均衡、NAT 网关或别的账号/地域)`, `${addr} is no instance of this account in ${v.snapshot.region} (a load balancer, a NAT gateway, or another account/region?)`) };
    }
    if (v.publicAddresses.includes(addr) || v.privateAddresses.includes(addr)) return { status: 'pass', condition: 'instance-address', finding: L(`${addr} 是实例 ${v.instance.id} 的地址`, `${addr} is an address of ${v.instance.id}`), evidence: [ev('probe', `/probes/tcp/${v.tcpIndex}/address`, addr)] };
    return {
      status: 'warn',
      condition: 'address-not-instance',
      finding: L(`${addr} 不是实例 ${v.instance.id} 的地址(实例地址:${[...v.publicAddresses, ...v.privateAddresses].join(', ') || '无'})`, `${addr} is not an address of ${v.instance.id} (its addresses: ${[...v.publicAddresses, ...v.privateAddresses].join(', ') || 'none'})`),
      evidence: [ev('probe', `/probes/tcp/${v.tcpIndex}/address`, addr)],
    };
  },
};

function aclPre(v: FactsView): CheckOutcome | null {
  if (!v.snapshot) return noCloud();
  if (!v.instance) return noInstance();
  const failed = cloudUnknown(v, 'networkAcls');
  if (failed) return { status: 'unknown', condition: 'read-failed', finding: L(`网络 ACL 读取失败:${failed}`, `Reading the network ACLs failed: ${failed}`) };
  if (!v.acl) return { status: 'unknown', condition: 'not-evaluated', finding: L('网络 ACL 未评估', 'The network ACL was not evaluated') };
  if (!v.acl.present && v.acl.decision === 'unknown') return { status: 'unknown', condition: `unknown:${v.acl.inbound.explanation}`, finding: L('无法确定实例所在交换机是否绑定了网络 ACL', 'Whether a network ACL guards the instance’s vSwitch cannot be told') };
  if (!v.acl.present) return { status: 'pass', condition: 'no-acl', finding: L('实例所在交换机没有绑定网络 ACL', 'No network ACL is bound to the instance’s vSwitch') };
  return null;
}

export const netAclInbound: CheckDef = {
  id: 'net.acl-inbound',
  layer: 'network',
  title: L('网络 ACL 入方向放行', 'The network ACL lets the connection in'),
  explanation: L('网络 ACL 作用于整个交换机,无状态,条目按顺序匹配、先匹配先生效;它先于安全组起作用,常被忽略。', 'A network ACL guards the whole vSwitch, is stateless, and matches entries in order (first match wins); it acts before the security group and is often forgotten.'),
  needs: ['cloud', 'probes', 'rules'],
  run(v) {
    const pre = aclPre(v);
    if (pre) return pre;
    const inb = v.acl!.inbound;
    const evidence = [ev('rules', '/cloud/networkAcl/inbound', `${inb.decision}: ${inb.explanation}${inb.decidedBy?.kind === 'rule' ? ` (${inb.decidedBy.ruleId})` : ''}`)];
    if (inb.decision === 'allow') return { status: 'pass', condition: 'allowed', finding: L(`ACL ${v.acl!.aclId} 入方向放行`, `ACL ${v.acl!.aclId} admits the connection`), evidence };
    if (inb.decision === 'unknown') return { status: 'unknown', condition: `unknown:${inb.explanation}`, finding: L(`网络 ACL 入方向无法判断：${evaluationWords(inb.explanation)['zh-CN']}`, `The network ACL's inbound direction cannot be decided: ${evaluationWords(inb.explanation).en}`), evidence };
    const by = inb.decidedBy?.kind === 'rule' ? L(`条目 ${inb.decidedBy.ruleId} 拒绝`, `entry ${inb.decidedBy.ruleId} denies it`) : L('没有条目放行(默认拒绝)', 'no entry admits it (default deny)');
    return {
      status: 'fail',
      condition: inb.decidedBy?.kind === 'rule' ? 'denied-by-entry' : 'no-entry',
      finding: L(`ACL ${v.acl!.aclId} 入方向拦截:${by['zh-CN']}`, `ACL ${v.acl!.aclId} blocks inbound: ${by.en}`),
      evidence,
      fixes: [intentFix({ kind: 'acl-allow', aclId: v.acl!.aclId, direction: 'ingress', protocol: v.protocol, port: v.port, cidr: clientCidrOrNull(v), ...(inb.decidedBy?.kind === 'rule' ? { beforeEntryId: inb.decidedBy.ruleId } : {}) })],
    };
  },
};

export const netAclReturn: CheckDef = {
  id: 'net.acl-return',
  layer: 'network',
  title: L('网络 ACL 出方向放行回程的临时端口', 'The network ACL lets the replies out (ephemeral ports)'),
  explanation: L(
    '无状态的网络 ACL（如阿里云）：回程流量的目的端口是客户端的临时端口（Linux 32768–60999，Windows/macOS 49152–65535），出方向条目必须放行 1024–65535，否则连接会超时。有状态的网络 ACL（如华为云）按连接状态放行回程。',
    'A stateless network ACL (Alibaba Cloud): replies go to the client’s ephemeral port (Linux 32768–60999, Windows/macOS 49152–65535), so outbound entries must allow 1024–65535, or connections time out. A stateful one (Huawei Cloud) lets replies out by connection state.',
  ),
  needs: ['cloud', 'probes', 'rules'],
  run(v) {
    const pre = aclPre(v);
    if (pre) return pre;
    const ret = v.acl!.returnPath;
    const cov = v.acl!.returnPorts;
    if (ret.explanation === 'stateful' && ret.decision === 'allow') {
      return { status: 'pass', condition: 'stateful', finding: L(`ACL ${v.acl!.aclId} 有状态：回程按连接状态放行，不需要临时端口条目`, `ACL ${v.acl!.aclId} is stateful: replies pass by connection state, no ephemeral-port entry is needed`), evidence: [ev('rules', '/cloud/networkAcl/returnPath', `${ret.decision}: ${ret.explanation}`)] };
    }
    const fixes = [intentFix({ kind: 'acl-allow', aclId: v.acl!.aclId, direction: 'egress', protocol: v.protocol, port: v.port, cidr: clientCidrOrNull(v) })];
    const evidence = [ev('rules', '/cloud/networkAcl/returnPath', `${ret.decision}: ${ret.explanation}${cov ? `; coverage ${cov.coverage}` : ''}`)];
    if (ret.decision === 'deny' || cov?.coverage === 'none') {
      return { status: 'fail', condition: 'return-denied', finding: L(`ACL ${v.acl!.aclId} 出方向没有放行回程的临时端口`, `ACL ${v.acl!.aclId} does not let replies out to the client’s ephemeral ports`), evidence, fixes };
    }
    if (cov?.coverage === 'partial') {
      const bad = cov.clients.filter((c) => !c.allowed).map((c) => `${c.os} ${c.from}-${c.to}`);
      return { status: 'warn', condition: 'return-partial', finding: L(`回程只放行了部分临时端口;受影响的客户端:${bad.join(', ') || '部分端口'}`, `Only part of the ephemeral range is allowed back; affected clients: ${bad.join(', ') || 'some ports'}`), evidence, fixes };
    }
    if (ret.decision === 'unknown') return { status: 'unknown', condition: 'unknown', finding: L('回程无法判断', 'The return path cannot be decided'), evidence };
    return { status: 'pass', condition: 'return-allowed', finding: L('出方向放行回程', 'Replies are allowed out'), evidence };
  },
};


export const netCarrierBlocked: CheckDef = {
  id: 'net.carrier-blocked-port',
  layer: 'network',
  title: L('端口不在运营商封禁的高危端口之列', 'The port is not one carriers block'),
  explanation: L('135、137–139、445、593、1434、4444 等高危端口常被运营商在骨干网封堵,安全组放行也访问不到;换用常见端口。', 'High-risk ports such as 135, 137–139, 445, 593, 1434 and 4444 are commonly blocked by carriers; even with the group open they stay unreachable. Use a common port instead.'),
  needs: [],
  run(v) {
    if (v.carrierBlockedTcp.has(v.port)) {
      return { status: 'warn', condition: 'high-risk-port', finding: L(`端口 ${v.port} 是常被运营商封堵的高危端口`, `Port ${v.port} is a high-risk port carriers commonly block`), fixes: [info(`把服务改到其他端口(例如 ${v.port + 10000 <= 65535 ? v.port + 10000 : 8443}),并相应修改安全组`, `Move the service to another port (e.g. ${v.port + 10000 <= 65535 ? v.port + 10000 : 8443}) and update the group`)] };
    }
    return { status: 'pass', condition: 'common-port', finding: L(`端口 ${v.port} 不在常见封禁列表中`, `Port ${v.port} is not on the usual block lists`) };
  },
};

export const netPort25: CheckDef = {
  id: 'net.port25',
  layer: 'network',
  title: L('TCP 25 端口限制', 'TCP port 25 restrictions'),
  explanation: L('云服务商常默认封禁服务器出方向 TCP 25（阿里云所有地域；华为云华北-北京一），发信请改用 465/SSL；很多家庭宽带也封 25。', 'Clouds often block outbound TCP 25 from servers by default (Alibaba Cloud in every region, Huawei Cloud in cn-north-1); send mail on 465/SSL instead. Many home ISPs block 25 too.'),
  needs: [],
  run(v) {
    if (v.port !== 25) return { status: 'skipped', condition: 'not-port-25', finding: L('目标端口不是 25', 'The port is not 25') };
    const fixes = [info('发信改用 465（SMTPS）或 587；如确需 25，在控制台申请解封', 'Use 465 (SMTPS) or 587 to send; if 25 is really needed, apply to unblock it in the console')];
    const blocked = v.semantics?.outboundTcp25Blocked;
    const serverBlocked = blocked === 'all-regions' ? true : blocked && v.region ? blocked.includes(v.region) : null;
    if (serverBlocked === false) {
      return { status: 'warn', condition: 'port-25-isp', finding: L(`25 端口：云服务商在 ${v.region} 不封出方向 25；但你的网络（很多家庭宽带）可能封了出方向 25`, `Port 25: the cloud does not block outbound 25 in ${v.region}; your own network (many home ISPs) may block outbound 25 though`) };
    }
    if (serverBlocked === true) {
      return { status: 'warn', condition: 'port-25', finding: L('25 端口：这台服务器发信（出方向）默认被云服务商封禁；你的网络也可能封了出方向 25', 'Port 25: sending mail from this server (outbound) is blocked by the cloud by default; your own network may block outbound 25 too'), fixes };
    }
    return { status: 'warn', condition: 'port-25-unknown-region', finding: L('25 端口：云服务器发信（出方向）常被默认封禁（取决于云服务商和地域）；你的网络也可能封了出方向 25', 'Port 25: sending mail from a cloud server (outbound) is often blocked by default (it depends on the cloud and region); your own network may block outbound 25 too'), fixes };
  },
};

export const icmpNotAPortTest: CheckDef = {
  id: 'icmp.not-a-port-test',
  layer: 'network',
  title: L('ping 不通 ≠ 端口不通', 'A failing ping does not mean a closed port'),
  explanation: L('安全组默认不放行 ICMP；用 TCP 连接（telnet/nc/本工具）测试端口，而不是 ping。', 'Security groups do not allow ICMP by default; test the port with a TCP connect (telnet/nc/this tool), not ping.'),
  needs: ['probes'],
  run(v) {
    const icmp = v.facts.probes?.icmp;
    if (!icmp || icmp.state === 'unavailable') return { status: 'skipped', condition: 'no-icmp', finding: L('没有做 ping 测试', 'No ping was sent') };
    const evidence = [ev('probe', '/probes/icmp', `${icmp.state} ${icmp.received}/${icmp.sent}`)];
    if (icmp.state === 'reply') return { status: 'pass', condition: 'reply', finding: L(`ping 通(${icmp.rttAvgMs ?? '?'} ms);端口是否通以 TCP 结果为准`, `Ping answers (${icmp.rttAvgMs ?? '?'} ms); the TCP result decides about the port`), evidence };
    if (v.tcp?.state === 'open') return { status: 'warn', condition: 'ping-fails-port-open', finding: L('ping 不通但 TCP 端口是通的:ICMP 被拦截不影响服务', 'Ping fails but the TCP port is open: ICMP being blocked does not affect the service'), evidence };
    return { status: 'pass', condition: 'ping-fails', finding: L('ping 不通;这本身不能说明端口不通,请看 TCP 结果', 'Ping fails; on its own that says nothing about the port, see the TCP result'), evidence };
  },
};

export const icmpBlockedByDefault: CheckDef = {
  id: 'icmp.blocked-by-default',
  layer: 'network',
  title: L('安全组是否放行 ICMP', 'Whether the security group allows ICMP'),
  explanation: L('需要 ping 时,加一条入方向 ICMP(-1/-1)规则;不加也不影响 TCP 服务。', 'If you want ping, add an inbound ICMP (-1/-1) rule; without it TCP services are unaffected.'),
  needs: ['cloud', 'probes', 'rules'],
  run(v) {
    if (!v.hasCloud) return noCloud();
    const e = v.icmpSg;
    if (!e || e.decision === 'unknown') return { status: 'unknown', condition: 'not-evaluated', finding: L('未评估 ICMP', 'ICMP was not evaluated') };
    if (e.decision === 'allow') return { status: 'pass', condition: 'icmp-allowed', finding: L('安全组放行 ICMP', 'The security groups allow ICMP') };
    const pingFailed = v.facts.probes?.icmp && v.facts.probes.icmp.state !== 'reply' && v.facts.probes.icmp.state !== 'unavailable';
    return {
      status: pingFailed ? 'warn' : 'pass',
      condition: 'icmp-not-allowed',
      finding: L('安全组没有放行 ICMP(默认如此),所以 ping 不通是预期的', 'The security groups do not allow ICMP (the default), so a failing ping is expected'),
      fixes: pingFailed ? allowFlowFixes(v, { protocol: 'icmp', port: null }) : [],
    };
  },
};

export const NETWORK_CHECKS: CheckDef[] = [
  instanceRunning,
  instanceOverdue,
  instanceSecurityLock,
  netPublicIp,
  netEip,
  netEipFinancialLock,
  netEipBandwidth,
  netAddressIsInstance,
  netAclInbound,
  netAclReturn,
  netCarrierBlocked,
  netPort25,
  icmpNotAPortTest,
  icmpBlockedByDefault,
];

