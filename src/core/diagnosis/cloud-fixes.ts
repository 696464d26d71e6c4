// The cloud fixes for one evaluated flow without probes (`sg-doctor cloud check --json`): the same checklist
// the diagnosis runs, on the cloud half of the facts, and the fixes of the checks that fail.
import type { CloudSnapshot } from '../cloud/model';
import type { ProviderSemantics } from '../cloud/provider';
import type { AclEvaluation, Evaluation, Flow } from '../rules/types';
import { runChecks } from './checks';
import type { DiagnosisFacts } from './facts';
import { cloudFixList, type CloudFixJson, type FixRenderer } from './fixes';

export function cloudCheckFixes(snapshot: CloudSnapshot, flow: Flow, sg: Evaluation, acl: AclEvaluation, renderer: FixRenderer, mode: 'api' | 'snapshot' = 'snapshot', semantics?: ProviderSemantics): CloudFixJson[] {
  // The checklist speaks about TCP and UDP services; an ICMP flow has no port to open.
  if (flow.protocol !== 'tcp' && flow.protocol !== 'udp') return [];
  const facts: DiagnosisFacts = {
    target: { host: flow.destinationIp, port: flow.port, protocol: flow.protocol },
    probes: null,
    cloud: { mode, snapshot, flow, securityGroups: sg, networkAcl: acl, sourceIpOrigin: flow.sourceIp ? 'user' : 'none' },
    server: null,
    ...(semantics ? { semantics } : {}),
  };
  return cloudFixList(runChecks(facts, undefined, { fixes: renderer }));
}
