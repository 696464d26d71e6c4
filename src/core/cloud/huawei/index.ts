// Huawei Cloud rule semantics (pure; not wired into the engine yet — see issue 10).
export { evaluateHuaweiSecurityGroups, type HuaweiSgOptions } from './securityGroups';
export { evaluateHuaweiFirewall, type HuaweiAclOptions } from './firewall';
export { evaluateHuaweiPath, type HuaweiPathEvaluation } from './path';
export { isLegacyFlavour, LEGACY_FAMILIES, parsePorts } from './fields';
export type * from './types';
export { carrierMayBlock, CARRIER_BLOCKED_TCP, CARRIER_BLOCKED_UDP } from './carrierPorts';
