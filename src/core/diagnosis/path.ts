// What the cloud configuration says about the whole path to the instance, condensed for the inference
// rules: 'deny' names the layer that blocks, 'allow' means every cloud layer that exists lets the flow
// through (instance running, a public address, ACL both ways, security groups), 'unknown' otherwise.
import { cloudUnknown, type FactsView } from './facts';

export type CloudPath =
  | { state: 'allow' }
  | { state: 'deny'; layer: 'instance' | 'public-address' | 'acl' | 'security-group' }
  | { state: 'unknown'; why: string };

export function cloudPath(v: FactsView): CloudPath {
  if (!v.snapshot) return { state: 'unknown', why: 'no-cloud' };
  const inst = v.instance;
  if (!inst) return { state: 'unknown', why: 'no-instance' };
  if (inst.status !== 'Running' || inst.operationLocks.includes('financial') || inst.operationLocks.includes('security')) return { state: 'deny', layer: 'instance' };
  const privatePath = v.probedAddress !== null && v.privateAddresses.includes(v.probedAddress);
  if (!privatePath && v.publicAddresses.length === 0) return { state: 'deny', layer: 'public-address' };
  if (v.acl?.present && (v.acl.inbound.decision === 'deny' || v.acl.returnPath.decision === 'deny' || v.acl.returnPorts?.coverage === 'none')) return { state: 'deny', layer: 'acl' };
  if (v.sg?.decision === 'deny') return { state: 'deny', layer: 'security-group' };
  if (cloudUnknown(v, 'networkAcls')) return { state: 'unknown', why: 'acl-read-failed' };
  if (!v.acl) return { state: 'unknown', why: 'acl-not-evaluated' };
  if (v.acl.present && (v.acl.inbound.decision !== 'allow' || v.acl.returnPath.decision !== 'allow')) return { state: 'unknown', why: 'acl-undecided' };
  if (!v.sg || v.sg.decision !== 'allow') return { state: 'unknown', why: 'sg-undecided' };
  return { state: 'allow' };
}

/** Every control probe on the target port succeeded (at least one ran). */
export const controlSamePortOk = (v: FactsView): boolean => v.controlSamePort.length > 0 && v.controlSamePort.every((c) => c.state === 'open');
/** Every control probe on the target port failed (at least one ran and resolved). */
export const controlSamePortFails = (v: FactsView): boolean => {
  const cs = v.controlSamePort.filter((c) => c.errno !== 'ENOTFOUND');
  return cs.length > 0 && cs.every((c) => c.state !== 'open');
};
