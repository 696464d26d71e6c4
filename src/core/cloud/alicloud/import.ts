// Offline import: build a CloudSnapshot from pasted or saved JSON output of the `aliyun` CLI
// (`aliyun ecs DescribeInstances`, `aliyun ecs DescribeSecurityGroupAttribute`,
// `aliyun vpc DescribeNetworkAclAttributes`, and also DescribeNetworkInterfaces / DescribeEipAddresses /
// DescribeSecurityGroups / DescribeNetworkAcls), or from a saved snapshot (`sg-doctor cloud show --json`).
// For users who will not give an AccessKey to a desktop app.
import { z } from 'zod';
import { fail, ok, type Result } from '../../result';
import { parseIp } from '../../rules/cidr';
import type { CloudSnapshot, Eip, Instance, NetworkAcl, NetworkInterface, SecurityGroup } from '../model';
import { interfacesFromInstance, mapEip, mapInstance, mapInterfaceSet, mapNetworkAcl, mapSecurityGroup, remapFromRaw, type GroupMeta } from './map';
import {
  describeIssues,
  EipAddressesSchema,
  InstancesSchema,
  NetworkAclAttributesSchema,
  NetworkAclsSchema,
  NetworkInterfacesSchema,
  SecurityGroupAttributeSchema,
  SecurityGroupsSchema,
} from './schemas';
import { redactSecrets } from '../redact';
import { splitJsonDocuments } from '../documents';
import { looksLikeSavedSnapshot, SavedSnapshotSchema } from '../snapshot';

// Kept importable from here (the importer's tests and callers use it); it lives with the neutral document helpers.
export { splitJsonDocuments };

export type DocumentKind =
  | 'DescribeInstances'
  | 'DescribeSecurityGroupAttribute'
  | 'DescribeNetworkAclAttributes'
  | 'DescribeNetworkAcls'
  | 'DescribeNetworkInterfaces'
  | 'DescribeEipAddresses'
  | 'DescribeSecurityGroups'
  | 'CloudSnapshot';

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Which API's output a document is, from its top-level keys. */
export function detectDocument(doc: unknown): DocumentKind | null {
  if (!isObj(doc)) return null;
  if (looksLikeSavedSnapshot(doc, 'alicloud')) return 'CloudSnapshot';
  if ('Instances' in doc) return 'DescribeInstances';
  if ('Permissions' in doc || ('SecurityGroupId' in doc && 'InnerAccessPolicy' in doc)) return 'DescribeSecurityGroupAttribute';
  if ('NetworkAclAttribute' in doc) return 'DescribeNetworkAclAttributes';
  if ('NetworkAcls' in doc) return 'DescribeNetworkAcls';
  if ('NetworkInterfaceSets' in doc) return 'DescribeNetworkInterfaces';
  if ('EipAddresses' in doc) return 'DescribeEipAddresses';
  if ('SecurityGroups' in doc) return 'DescribeSecurityGroups';
  return null;
}

/** Which instance the analysis is about, when the documents describe several. */
export interface InstanceSelection {
  /** The address the client connects to: the instance that owns it is chosen. */
  address?: string | null;
  instanceId?: string | null;
}

const normIp = (ip: string | undefined | null): string | null => (ip ? (parseIp(ip)?.text ?? null) : null);

/** Every address an instance has in these documents: its own fields, its ENIs and the EIPs bound to it. */
function addressesOf(inst: Instance, interfaces: NetworkInterface[] | null, eips: Iterable<Eip>): string[] {
  const out = new Set<string>();
  for (const a of [inst.publicIp, inst.eipAddress, ...inst.privateIps]) if (normIp(a)) out.add(normIp(a)!);
  const own = new Set(interfacesFromInstance(inst).map((e) => e.id));
  const enis = [...(interfaces ?? []).filter((e) => e.instanceId === inst.id || own.has(e.id)), ...interfacesFromInstance(inst)];
  for (const e of enis) for (const a of [e.publicIp, ...e.privateIps, ...e.ipv6s]) if (normIp(a)) out.add(normIp(a)!);
  for (const e of eips) if (e.instanceId === inst.id || enis.some((n) => n.id === e.instanceId)) if (normIp(e.ipAddress)) out.add(normIp(e.ipAddress)!);
  return [...out];
}

/**
 * Chooses the instance the documents are about. An id must be among them; an address picks its owner.
 * With one instance and an address it does not own, that instance stays (the analysis then says the
 * address is not its own); with several, none of which owns the address, the choice is refused.
 */
function selectInstance(c: Collected, sel: InstanceSelection): Result<Instance | null> {
  const list = c.instances;
  if (!list.length) return ok(null);
  const describe = (): string => list.map((i) => `${i.id} (${addressesOf(i, c.interfaces, c.eips.values()).join(', ') || 'no address'})`).join('; ');
  if (sel.instanceId) {
    const inst = list.find((i) => i.id === sel.instanceId);
    return inst ? ok(inst) : fail('InstanceNotInDocuments', `instance ${sel.instanceId} is not in the documents given; they describe: ${describe()}`);
  }
  const addr = normIp(sel.address);
  if (addr) {
    const owners = list.filter((i) => addressesOf(i, c.interfaces, c.eips.values()).includes(addr));
    if (owners.length === 1) {
      if (list.length > 1) c.notes.push(`The documents describe ${list.length} instances; ${owners[0].id} owns ${addr} and is analysed.`);
      return ok(owners[0]);
    }
    if (owners.length > 1) return fail('AmbiguousInstance', `several instances in the documents have the address ${addr}: ${owners.map((o) => o.id).join(', ')}; say which with --instance`);
    if (list.length === 1) return ok(list[0]);
    return fail('NoInstanceForAddress', `none of the ${list.length} instances in the documents has the address ${addr}; they describe: ${describe()}. Give the DescribeInstances output of the instance that owns ${addr}, or say which with --instance`);
  }
  if (list.length === 1) return ok(list[0]);
  return fail('AmbiguousInstance', `the documents describe ${list.length} instances (${describe()}); say which one with --instance or give the address`);
}

export interface ImportInput {
  /** A label for messages: file name or "pasted text #2". */
  name?: string;
  content: string | unknown;
}

interface Collected {
  /** Every instance of every DescribeInstances document, in the order given (the same id once). */
  instances: Instance[];
  interfaces: NetworkInterface[] | null;
  groups: Map<string, { attr: z.infer<typeof SecurityGroupAttributeSchema>; perms: z.infer<typeof SecurityGroupAttributeSchema>['Permissions']['Permission'] }>;
  meta: Map<string, GroupMeta>;
  acls: Map<string, NetworkAcl>;
  eips: Map<string, Eip>;
  snapshot: CloudSnapshot | null;
  notes: string[];
}

function parseWith<S extends z.ZodTypeAny>(schema: S, doc: unknown, label: string): Result<z.infer<S>> {
  const r = schema.safeParse(doc);
  if (r.success) return ok(r.data as z.infer<S>);
  return fail('InvalidDocument', `${label}: ${describeIssues(r.error, doc)}`);
}

function add(c: Collected, kind: DocumentKind, doc: unknown, label: string): Result<void> {
  const where = `${label} (${kind})`;
  switch (kind) {
    case 'CloudSnapshot': {
      const r = parseWith(SavedSnapshotSchema, doc, where);
      if (!r.ok) return r;
      // Judged by today's field inventory: rules are mapped again from their raw API objects.
      c.snapshot = remapFromRaw(doc as CloudSnapshot);
      return ok(undefined);
    }
    case 'DescribeInstances': {
      const r = parseWith(InstancesSchema, doc, where);
      if (!r.ok) return r;
      const list = r.value.Instances.Instance;
      if (!list.length) return fail('InvalidDocument', `${where}: Instances.Instance is empty — the filter matched no instance`);
      for (const raw of list) {
        const inst = mapInstance(raw);
        if (!c.instances.some((x) => x.id === inst.id)) c.instances.push(inst);
      }
      return ok(undefined);
    }
    case 'DescribeSecurityGroupAttribute': {
      const r = parseWith(SecurityGroupAttributeSchema, doc, where);
      if (!r.ok) return r;
      const prev = c.groups.get(r.value.SecurityGroupId);
      // Several pages of the same group (NextToken) are concatenated in the order given.
      const perms = [...(prev?.perms ?? []), ...(r.value.Permissions.Permission ?? [])];
      c.groups.set(r.value.SecurityGroupId, { attr: prev?.attr ?? r.value, perms });
      if (r.value.NextToken) c.notes.push(`${label}: ${r.value.SecurityGroupId} has more rules (NextToken set); paste every page, or use \`aliyun ecs DescribeSecurityGroupAttribute --pager\`.`);
      return ok(undefined);
    }
    case 'DescribeNetworkAclAttributes': {
      const r = parseWith(NetworkAclAttributesSchema, doc, where);
      if (!r.ok) return r;
      const acl = mapNetworkAcl(r.value.NetworkAclAttribute, r.value.NetworkAclAttribute.RegionId ?? '');
      c.acls.set(acl.id, acl);
      return ok(undefined);
    }
    case 'DescribeNetworkAcls': {
      const r = parseWith(NetworkAclsSchema, doc, where);
      if (!r.ok) return r;
      for (const a of r.value.NetworkAcls.NetworkAcl ?? []) {
        if (!a.IngressAclEntries && !a.EgressAclEntries) {
          c.notes.push(`${label}: ${a.NetworkAclId} has no entries in this output; add \`aliyun vpc DescribeNetworkAclAttributes --NetworkAclId ${a.NetworkAclId}\`.`);
          continue;
        }
        if (!c.acls.has(a.NetworkAclId)) c.acls.set(a.NetworkAclId, mapNetworkAcl(a, a.RegionId ?? ''));
      }
      return ok(undefined);
    }
    case 'DescribeNetworkInterfaces': {
      const r = parseWith(NetworkInterfacesSchema, doc, where);
      if (!r.ok) return r;
      c.interfaces = [...(c.interfaces ?? []), ...(r.value.NetworkInterfaceSets.NetworkInterfaceSet ?? []).map((s) => mapInterfaceSet(s, null))];
      return ok(undefined);
    }
    case 'DescribeEipAddresses': {
      const r = parseWith(EipAddressesSchema, doc, where);
      if (!r.ok) return r;
      for (const e of r.value.EipAddresses.EipAddress ?? []) c.eips.set(e.AllocationId, mapEip(e, e.RegionId ?? ''));
      return ok(undefined);
    }
    case 'DescribeSecurityGroups': {
      const r = parseWith(SecurityGroupsSchema, doc, where);
      if (!r.ok) return r;
      for (const g of r.value.SecurityGroups.SecurityGroup ?? []) c.meta.set(g.SecurityGroupId, { type: g.SecurityGroupType, name: g.SecurityGroupName, vpcId: g.VpcId });
      return ok(undefined);
    }
  }
}

const KNOWN =
  'expected the JSON output of aliyun ecs DescribeInstances, ecs DescribeSecurityGroupAttribute, vpc DescribeNetworkAclAttributes ' +
  '(or ecs DescribeNetworkInterfaces, ecs DescribeSecurityGroups, vpc DescribeEipAddresses, vpc DescribeNetworkAcls), or a saved SG Doctor snapshot';

/** Builds a snapshot from documents (texts, possibly several per text, or parsed objects). */
export function importSnapshot(inputs: readonly (string | unknown | ImportInput)[], selection: InstanceSelection = {}): Result<CloudSnapshot> {
  const c: Collected = { instances: [], interfaces: null, groups: new Map(), meta: new Map(), acls: new Map(), eips: new Map(), snapshot: null, notes: [] };
  const items: ImportInput[] = inputs.map((x, i) => (isObj(x) && 'content' in x ? (x as unknown as ImportInput) : { name: `input #${i + 1}`, content: x }));
  if (!items.length) return fail('EmptyInput', `nothing to import: ${KNOWN}`);
  let count = 0;
  for (const item of items) {
    const label = item.name ?? 'input';
    const docs: { value: unknown; label: string }[] = [];
    if (typeof item.content === 'string') {
      const parts = splitJsonDocuments(item.content);
      if (!parts.length) return fail('EmptyInput', `${label} is empty: ${KNOWN}`);
      for (const [i, part] of parts.entries()) {
        const partLabel = parts.length > 1 ? `${label}, document ${i + 1} (line ${part.line})` : label;
        try {
          docs.push({ value: JSON.parse(part.text), label: partLabel });
        } catch (err) {
          // Never echo the text itself: a pasted secret must not end up in a message.
          const msg = redactSecrets((err as Error).message.replace(/"[^"]{24,}"/g, '"…"'));
          return fail('InvalidJson', `${partLabel} is not valid JSON (${msg})`);
        }
      }
    } else docs.push({ value: item.content, label });
    for (const d of docs) {
      const values = Array.isArray(d.value) ? d.value.map((v, i) => ({ value: v, label: `${d.label}[${i}]` })) : [d];
      for (const v of values) {
        const kind = detectDocument(v.value);
        if (!kind) {
          const keys = isObj(v.value) ? Object.keys(v.value).slice(0, 6).join(', ') : typeof v.value;
          return fail('UnknownDocument', `${v.label}: not a recognised document (top-level: ${keys || 'nothing'}); ${KNOWN}`);
        }
        const r = add(c, kind, v.value, v.label);
        if (!r.ok) return r;
        count++;
      }
    }
  }
  if (!count) return fail('EmptyInput', `nothing to import: ${KNOWN}`);

  if (c.snapshot) {
    if (count > 1) c.notes.push('A saved snapshot was given together with API outputs; the snapshot was used as is.');
    return ok({ ...c.snapshot, source: 'import', notes: [...(c.snapshot.notes ?? []), ...c.notes] });
  }
  if (!c.instances.length && !c.groups.size) {
    return fail('IncompleteInput', 'need at least the output of `aliyun ecs DescribeInstances` or of `aliyun ecs DescribeSecurityGroupAttribute`');
  }

  const chosen = selectInstance(c, selection);
  if (!chosen.ok) return chosen;
  const inst = chosen.value;
  const region = inst?.region ?? [...c.groups.values()][0]?.attr.RegionId ?? 'unknown';
  // ENIs of other instances (a DescribeNetworkInterfaces of the whole VPC) are not this instance's.
  const ownEnis = c.interfaces && inst ? c.interfaces.filter((e) => (e.instanceId === undefined ? interfacesFromInstance(inst).some((x) => x.id === e.id) || c.instances.length === 1 : e.instanceId === inst.id)) : c.interfaces;
  const interfaces = ownEnis?.length ? ownEnis : inst ? interfacesFromInstance(inst) : (ownEnis ?? []);
  // The instance's groups apply to an instance whose interfaces were not given.
  if (!inst && c.groups.size && !c.interfaces) c.notes.push('No DescribeInstances output: the groups are analysed as if all were on the instance.');
  const groups: SecurityGroup[] = [...c.groups.values()].map(({ attr, perms }) => mapSecurityGroup(attr, perms ?? [], region, c.meta.get(attr.SecurityGroupId)));
  const wanted = new Set([...(inst?.securityGroupIds ?? []), ...interfaces.flatMap((n) => n.securityGroupIds)]);
  const missing = [...wanted].filter((id) => !c.groups.has(id));
  const notes = [...c.notes];
  const errors: CloudSnapshot['errors'] = [];
  for (const id of missing) {
    errors.push({
      action: 'DescribeSecurityGroupAttribute',
      code: 'NotProvided',
      message: `rules of ${id} were not provided: add the output of \`aliyun ecs DescribeSecurityGroupAttribute --RegionId ${region} --SecurityGroupId ${id}\``,
      leavesUnknown: [`securityGroups/${id}`],
    });
  }
  if (inst?.networkType === 'vpc' && inst.vSwitchId && ![...c.acls.values()].some((a) => a.vSwitchIds.includes(inst.vSwitchId!))) {
    notes.push(
      `No network ACL output for vSwitch ${inst.vSwitchId}: if one is bound, add \`aliyun vpc DescribeNetworkAcls --RegionId ${region} --ResourceId ${inst.vSwitchId} --ResourceType VSwitch\`.`,
    );
  }
  if (inst && !c.meta.size && groups.length) notes.push('Group types (basic / enterprise) are not in these outputs; assumed basic. Add `aliyun ecs DescribeSecurityGroups` to know.');
  if (!c.interfaces && inst && interfaces.length > 1) notes.push('Secondary ENIs: their own security groups are not in DescribeInstances; add `aliyun ecs DescribeNetworkInterfaces --InstanceId ...`.');

  const snapshot: CloudSnapshot = {
    provider: 'alicloud',
    source: 'import',
    region,
    fetchedAt: new Date().toISOString(),
    instance: inst,
    interfaces: interfaces.length || !groups.length
      ? interfaces
      : [{ id: 'unknown-eni', type: 'primary', privateIps: [], ipv6s: [], securityGroupIds: groups.map((g) => g.id) }],
    securityGroups: groups,
    networkAcls: [...c.acls.values()],
    eips: [...c.eips.values()],
    errors,
    notes,
  };
  return ok(snapshot);
}
