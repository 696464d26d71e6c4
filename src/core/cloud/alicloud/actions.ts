// Every Alibaba Cloud API action the app calls, with its RAM action name and what a failure leaves unknown.
// The README's minimal read-only RAM policy is generated from this list (see ramPolicy()).

export type Product = 'ecs' | 'vpc' | 'sts';

export interface ActionInfo {
  product: Product;
  /** RAM action to grant; null when no permission is needed (sts:GetCallerIdentity). */
  ram: string | null;
  /** Facts this call provides (and leaves unknown when it fails). */
  provides: string[];
  /** Read-only? The Cloud Assistant action RunCommand is not, and is asked for separately. */
  readOnly: boolean;
  /** A write that applies a fix (or undoes one): granted only by the write policy (`cloud policy --write`). */
  fix?: boolean;
}

export const ACTIONS = {
  DescribeRegions: { product: 'ecs', ram: 'ecs:DescribeRegions', provides: ['regions'], readOnly: true },
  DescribeInstances: { product: 'ecs', ram: 'ecs:DescribeInstances', provides: ['instance'], readOnly: true },
  DescribeNetworkInterfaces: { product: 'ecs', ram: 'ecs:DescribeNetworkInterfaces', provides: ['interfaces'], readOnly: true },
  DescribeSecurityGroups: { product: 'ecs', ram: 'ecs:DescribeSecurityGroups', provides: ['securityGroups.type'], readOnly: true },
  DescribeSecurityGroupAttribute: { product: 'ecs', ram: 'ecs:DescribeSecurityGroupAttribute', provides: ['securityGroups'], readOnly: true },
  DescribePrefixListAttributes: { product: 'ecs', ram: 'ecs:DescribePrefixListAttributes', provides: ['prefixLists'], readOnly: true },
  DescribeEipAddresses: { product: 'vpc', ram: 'vpc:DescribeEipAddresses', provides: ['eips'], readOnly: true },
  DescribeNetworkAcls: { product: 'vpc', ram: 'vpc:DescribeNetworkAcls', provides: ['networkAcls'], readOnly: true },
  DescribeNetworkAclAttributes: { product: 'vpc', ram: 'vpc:DescribeNetworkAclAttributes', provides: ['networkAcls'], readOnly: true },
  GetCallerIdentity: { product: 'sts', ram: null, provides: ['account'], readOnly: true },
  RunCommand: { product: 'ecs', ram: 'ecs:RunCommand', provides: ['serverEvidence'], readOnly: false },
  DescribeInvocationResults: { product: 'ecs', ram: 'ecs:DescribeInvocationResults', provides: ['serverEvidence'], readOnly: true },
  // ---- writes: applying a fix and undoing it (issue 11); asked for separately, never by the default policy ----
  AuthorizeSecurityGroup: { product: 'ecs', ram: 'ecs:AuthorizeSecurityGroup', provides: ['fix'], readOnly: false, fix: true },
  AuthorizeSecurityGroupEgress: { product: 'ecs', ram: 'ecs:AuthorizeSecurityGroupEgress', provides: ['fix'], readOnly: false, fix: true },
  RevokeSecurityGroup: { product: 'ecs', ram: 'ecs:RevokeSecurityGroup', provides: ['fix'], readOnly: false, fix: true },
  RevokeSecurityGroupEgress: { product: 'ecs', ram: 'ecs:RevokeSecurityGroupEgress', provides: ['fix'], readOnly: false, fix: true },
  ModifySecurityGroupRule: { product: 'ecs', ram: 'ecs:ModifySecurityGroupRule', provides: ['fix'], readOnly: false, fix: true },
  ModifySecurityGroupEgressRule: { product: 'ecs', ram: 'ecs:ModifySecurityGroupEgressRule', provides: ['fix'], readOnly: false, fix: true },
  JoinSecurityGroup: { product: 'ecs', ram: 'ecs:JoinSecurityGroup', provides: ['fix'], readOnly: false, fix: true },
  LeaveSecurityGroup: { product: 'ecs', ram: 'ecs:LeaveSecurityGroup', provides: ['fix'], readOnly: false, fix: true },
  UpdateNetworkAclEntries: { product: 'vpc', ram: 'vpc:UpdateNetworkAclEntries', provides: ['fix'], readOnly: false, fix: true },
  StartInstance: { product: 'ecs', ram: 'ecs:StartInstance', provides: ['fix'], readOnly: false, fix: true },
} as const satisfies Record<string, ActionInfo>;

export type ActionName = keyof typeof ACTIONS;

export const API_VERSIONS: Record<Product, string> = { ecs: '2014-05-26', vpc: '2016-04-28', sts: '2015-04-01' };

/** The write actions a fix may call (and its undo): the only APIs `applyActions` will ever send. */
export const FIX_ACTIONS = Object.entries(ACTIONS as Record<string, ActionInfo>)
  .filter(([, a]) => a.fix === true)
  .map(([name]) => name as ActionName);

/**
 * The minimal RAM policy: exactly the actions the app calls. Cloud Assistant actions only when asked for;
 * `write` adds exactly the fix actions (applying and undoing a fix), on top of the read-only ones it needs to
 * read the group or ACL back.
 */
export function ramPolicy(opts: { cloudAssistant?: boolean; write?: boolean } = {}): { Version: '1'; Statement: { Effect: 'Allow'; Action: string[]; Resource: '*' }[] } {
  const actions = Object.values(ACTIONS as Record<string, ActionInfo>)
    .filter((a) => a.ram !== null && (a.fix === true ? opts.write === true : a.readOnly || opts.cloudAssistant))
    .filter((a) => opts.cloudAssistant || a.ram !== 'ecs:DescribeInvocationResults')
    .map((a) => a.ram as string);
  return { Version: '1', Statement: [{ Effect: 'Allow', Action: [...new Set(actions)].sort(), Resource: '*' }] };
}
