// What the cloud configuration says about the whole path to the instance, condensed for the inference
// rules: 'deny' names the layer that blocks, 'allow' means every cloud layer positively lets the flow
// through (the address is the instance's, the instance runs, its public address forwards, ACL both ways,
// security groups), 'unknown' otherwise — including when the configuration describes another host, whose
// rules say nothing about the address that was probed.
import type { FactsView } from './facts';
import { cloudPremises, PREMISE, type PremiseId } from './premises';

export type CloudPath =
  | { state: 'allow' }
  | { state: 'deny'; layer: 'instance' | 'public-address' | 'acl' | 'security-group' }
  | { state: 'unknown'; why: string };

const LAYER: Partial<Record<PremiseId, 'instance' | 'public-address' | 'acl' | 'security-group'>> = {
  [PREMISE.instanceRunning]: 'instance',
  [PREMISE.publicPath]: 'public-address',
  [PREMISE.aclAllows]: 'acl',
  [PREMISE.sgAllows]: 'security-group',
};

export function cloudPath(v: FactsView): CloudPath {
  if (!v.snapshot) return { state: 'unknown', why: 'no-cloud' };
  if (!v.instance) return { state: 'unknown', why: 'no-instance' };
  const ps = cloudPremises(v);
  const [address, ...layers] = ps;
  if (address.state === 'false') return { state: 'unknown', why: 'address-not-instance' };
  const denied = layers.find((x) => x.state === 'false');
  if (denied) return { state: 'deny', layer: LAYER[denied.id]! };
  const open = ps.find((x) => x.state !== 'true');
  if (open) return { state: 'unknown', why: open.id };
  return { state: 'allow' };
}

/** Every control probe on the target port succeeded (at least one ran). */
export const controlSamePortOk = (v: FactsView): boolean => v.controlSamePort.length > 0 && v.controlSamePort.every((c) => c.state === 'open');
/** Every control probe on the target port failed (at least one ran and resolved). */
export const controlSamePortFails = (v: FactsView): boolean => {
  const cs = v.controlSamePort.filter((c) => c.errno !== 'ENOTFOUND');
  return cs.length > 0 && cs.every((c) => c.state !== 'open');
};
