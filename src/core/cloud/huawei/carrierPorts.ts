// Ports some carriers treat as high-risk and block by default: "部分运营商判断如下表的端口为高危端口，默认被屏蔽。
// 即使您已经添加安全组规则放通了这些端口，在受限区域仍然无法访问，此时建议您将端口修改为其他非高危端口" — Huawei ECS user
// guide, "ECS常用端口" / "Common Ports Used by ECSs" (table "高危端口"), also linked from the VPC FAQ "Why Are My
// Security Group Rules Not Working?" (seed 004). The list below is the one in the design notes (DESIGN.md, "Huawei Cloud semantics"); the
// stored excerpt of the official page confirms "TCP 42 135 137 138 139 444 445 593 1025 …" and its end "9996";
// Huawei's pages differ slightly between versions, so a hit is a hint ("may be blocked in some regions"),
// never a failure on its own.
import type { Protocol } from '../model';

export const CARRIER_BLOCKED_TCP: readonly number[] = [42, 135, 137, 138, 139, 444, 445, 593, 1025, 1068, 1433, 1434, 3127, 3128, 3129, 3130, 4444, 4789, 4790, 5554, 5800, 5900, 8998, 9995, 9996];
export const CARRIER_BLOCKED_UDP: readonly number[] = [135, 136, 137, 138, 139, 1026, 1027, 1028, 1068, 1433, 1434, 4789, 4790, 5554, 9995, 9996];

/** Is this port on Huawei's documented list of ports some carriers block? */
export function carrierMayBlock(protocol: Protocol, port: number): boolean {
  if (protocol === 'tcp') return CARRIER_BLOCKED_TCP.includes(port);
  if (protocol === 'udp') return CARRIER_BLOCKED_UDP.includes(port);
  return false;
}
