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
} as const satisfies Record<string, ActionInfo>;

export type ActionName = keyof typeof ACTIONS;

export const API_VERSIONS: Record<Product, string> = { ecs: '2014-05-26', vpc: '2016-04-28', sts: '2015-04-01' };

/** The minimal RAM policy: exactly the actions the app calls. Cloud Assistant actions only when asked for. */
export function ramPolicy(opts: { cloudAssistant?: boolean } = {}): { Version: '1'; Statement: { Effect: 'Allow'; Action: string[]; Resource: '*' }[] } {
  const actions = Object.values(ACTIONS as Record<string, ActionInfo>)
    .filter((a) => a.ram !== null && (a.readOnly || opts.cloudAssistant))
    .filter((a) => opts.cloudAssistant || a.ram !== 'ecs:DescribeInvocationResults')
    .map((a) => a.ram as string);
  return { Version: '1', Statement: [{ Effect: 'Allow', Action: [...new Set(actions)].sort(), Resource: '*' }] };
}
