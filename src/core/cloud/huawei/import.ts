// Offline import for Huawei Cloud: a CloudSnapshot from the JSON that KooCLI (`hcloud`) prints for the API
// responses, for users who will not give an AK/SK to a desktop app. Accepted documents (response bodies, as
// the SDK models name their fields):
//   ECS ShowServer `{server}` / ListServersDetails `{servers, count}`     hcloud ECS ShowServer --server_id=…
//   VPC ListPorts `{ports}`                                               hcloud VPC ListPorts --device_id=…
//   VPC v3 ShowSecurityGroup `{security_group: {…, security_group_rules}}` hcloud VPC ShowSecurityGroup/v3 …
//   VPC v3 ListSecurityGroupRules `{security_group_rules, page_info}`     hcloud VPC ListSecurityGroupRules/v3 …
//   VPC v3 ShowFirewall `{firewall}` / ListFirewall `{firewalls}`          hcloud VPC ShowFirewall/v3 …
//   EIP ListPublicips `{publicips}`                                        hcloud EIP ListPublicips …
//   a saved SG Doctor snapshot of a Huawei server (`provider: "huawei"`).
// Several documents may be pasted one after another; the server owning the address is chosen. Malformed input is
// rejected naming the document (and its line) and the field's path. The mapping itself is map.ts's.
import { z } from 'zod';
import { fail, ok, type Result } from '../../result';
import { parseIp } from '../../rules/cidr';
import { describeIssues } from '../alicloud/schemas';
import type { ImportInput, InstanceSelection } from '../alicloud/import';
import { splitJsonDocuments } from '../documents';
import { looksLikeSavedSnapshot, SavedSnapshotSchema } from '../snapshot';
import type { CloudError, CloudSnapshot } from '../model';
import { redactSecrets } from '../redact';
import {
  HuaweiProviderDataSchema,
  HwFirewallSchema,
  HwPortSchema,
  HwPublicipSchema,
  HwSecurityGroupRuleSchema,
  HwSecurityGroupSchema,
  HwServerSchema,
  mapHuaweiSnapshot,
  serverAddresses,
  type HwFirewall,
  type HwPort,
  type HwPublicip,
  type HwSecurityGroup,
  type HwServer,
} from './map';

export type HuaweiDocumentKind =
  | 'ShowServer'
  | 'ListServersDetails'
  | 'ListPorts'
  | 'ShowSecurityGroup'
  | 'ListSecurityGroupRules'
  | 'ShowFirewall'
  | 'ListFirewall'
  | 'ListPublicips'
  | 'CloudSnapshot';

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Which Huawei API's output a document is, from its top-level keys (snake_case, unlike Alibaba's). */
export function detectHuaweiDocument(doc: unknown): HuaweiDocumentKind | null {
  if (!isObj(doc)) return null;
  if (looksLikeSavedSnapshot(doc, 'huawei')) return 'CloudSnapshot';
  if (isObj(doc.server)) return 'ShowServer';
  if (Array.isArray(doc.servers)) return 'ListServersDetails';
  if (Array.isArray(doc.ports)) return 'ListPorts';
  if (isObj(doc.security_group)) return 'ShowSecurityGroup';
  if (Array.isArray(doc.security_group_rules)) return 'ListSecurityGroupRules';
  if (isObj(doc.firewall)) return 'ShowFirewall';
  if (Array.isArray(doc.firewalls)) return 'ListFirewall';
  if (Array.isArray(doc.publicips)) return 'ListPublicips';
  return null;
}

/** Does this (parsed) document look like Huawei Cloud API output, or a saved Huawei snapshot? */
export function recognisesHuaweiDocument(doc: unknown): boolean {
  if (Array.isArray(doc)) return doc.length > 0 && doc.every((d) => detectHuaweiDocument(d) !== null);
  return detectHuaweiDocument(doc) !== null;
}

const DOCS = {
  ShowServer: z.looseObject({ server: HwServerSchema }),
  ListServersDetails: z.looseObject({ servers: z.array(HwServerSchema) }),
  ListPorts: z.looseObject({ ports: z.array(HwPortSchema) }),
  ShowSecurityGroup: z.looseObject({ security_group: HwSecurityGroupSchema }),
  ListSecurityGroupRules: z.looseObject({ security_group_rules: z.array(HwSecurityGroupRuleSchema), page_info: z.looseObject({ next_marker: z.string().nullish() }).nullish() }),
  ShowFirewall: z.looseObject({ firewall: HwFirewallSchema }),
  // ListFirewall's items (ListFirewallDetail) carry associations but no rules.
  ListFirewall: z.looseObject({ firewalls: z.array(HwFirewallSchema.partial({ ingress_rules: true, egress_rules: true })), page_info: z.looseObject({ next_marker: z.string().nullish() }).nullish() }),
  ListPublicips: z.looseObject({ publicips: z.array(HwPublicipSchema) }),
  // A saved snapshot: the neutral schema, and this provider's own data validated again (the file is untrusted).
  CloudSnapshot: SavedSnapshotSchema.extend({ provider: z.literal('huawei'), providerData: HuaweiProviderDataSchema }),
} satisfies Record<HuaweiDocumentKind, z.ZodTypeAny>;

interface Collected {
  servers: HwServer[];
  ports: HwPort[];
  groups: Map<string, HwSecurityGroup>;
  /** Rules from ListSecurityGroupRules, by group id, in the order given (pages concatenated). */
  listedRules: Map<string, z.infer<typeof HwSecurityGroupRuleSchema>[]>;
  firewalls: Map<string, HwFirewall>;
  /** ACLs known from ListFirewall only (no rules in that output), by id → associated subnets. */
  listedFirewalls: Map<string, string[]>;
  listedAllFirewalls: boolean;
  publicips: Map<string, HwPublicip>;
  snapshot: CloudSnapshot | null;
  notes: string[];
}

function parseWith<K extends HuaweiDocumentKind>(kind: K, doc: unknown, where: string): Result<z.infer<(typeof DOCS)[K]>> {
  const r = DOCS[kind].safeParse(doc);
  if (r.success) return ok(r.data as z.infer<(typeof DOCS)[K]>);
  return fail('InvalidDocument', `${where}: ${describeIssues(r.error, doc)}`);
}

function add(c: Collected, kind: HuaweiDocumentKind, doc: unknown, label: string): Result<void> {
  const where = `${label} (${kind})`;
  switch (kind) {
    case 'CloudSnapshot': {
      const r = parseWith(kind, doc, where);
      if (!r.ok) return r;
      c.snapshot = r.value as unknown as CloudSnapshot;
      return ok(undefined);
    }
    case 'ShowServer':
    case 'ListServersDetails': {
      const r = parseWith(kind, doc, where);
      if (!r.ok) return r;
      const list = 'server' in r.value ? [r.value.server as HwServer] : (r.value.servers as HwServer[]);
      if (!list.length) return fail('InvalidDocument', `${where}: servers is empty — the filter matched no server`);
      for (const s of list) if (!c.servers.some((x) => x.id === s.id)) c.servers.push(s);
      return ok(undefined);
    }
    case 'ListPorts': {
      const r = parseWith(kind, doc, where);
      if (!r.ok) return r;
      for (const p of r.value.ports) if (!c.ports.some((x) => x.id === p.id)) c.ports.push(p);
      return ok(undefined);
    }
    case 'ShowSecurityGroup': {
      const r = parseWith(kind, doc, where);
      if (!r.ok) return r;
      const g = r.value.security_group;
      c.groups.set(g.id, g);
      return ok(undefined);
    }
    case 'ListSecurityGroupRules': {
      const r = parseWith(kind, doc, where);
      if (!r.ok) return r;
      for (const [i, rule] of r.value.security_group_rules.entries()) {
        // Without its group the rule cannot be placed in the matching order.
        if (!rule.security_group_id) return fail('InvalidDocument', `${where}: security_group_rules[${i}].security_group_id is missing (needed to know which group the rule belongs to)`);
        const list = c.listedRules.get(rule.security_group_id) ?? [];
        if (!list.some((x) => x.id === rule.id)) list.push(rule);
        c.listedRules.set(rule.security_group_id, list);
      }
      if (r.value.page_info?.next_marker) c.notes.push(`${label}: there are more rules (page_info.next_marker is set); paste every page (hcloud … --marker=${r.value.page_info.next_marker}).`);
      return ok(undefined);
    }
    case 'ShowFirewall': {
      const r = parseWith(kind, doc, where);
      if (!r.ok) return r;
      c.firewalls.set(r.value.firewall.id, r.value.firewall);
      return ok(undefined);
    }
    case 'ListFirewall': {
      const r = parseWith(kind, doc, where);
      if (!r.ok) return r;
      for (const f of r.value.firewalls) {
        if (f.ingress_rules || f.egress_rules) c.firewalls.set(f.id, f as HwFirewall);
        else c.listedFirewalls.set(f.id, (f.associations ?? []).map((a) => a.virsubnet_id));
      }
      if (r.value.page_info?.next_marker) c.notes.push(`${label}: there are more network ACLs (page_info.next_marker is set); paste every page.`);
      else c.listedAllFirewalls = true;
      return ok(undefined);
    }
    case 'ListPublicips': {
      const r = parseWith(kind, doc, where);
      if (!r.ok) return r;
      for (const e of r.value.publicips) c.publicips.set(e.id, e);
      return ok(undefined);
    }
  }
}

const norm = (ip: string | null | undefined): string | null => (ip ? (parseIp(ip)?.text ?? null) : null);

/** Every address a server has in these documents: its own (fixed and floating), its ports' and their EIPs'. */
function addressesOf(s: HwServer, c: Collected): string[] {
  const out = new Set<string>();
  for (const a of serverAddresses(s)) if (norm(a.addr)) out.add(norm(a.addr)!);
  const ports = c.ports.filter((p) => p.device_id === s.id || serverAddresses(s).some((a) => a.portId === p.id));
  for (const p of ports) for (const f of p.fixed_ips ?? []) if (norm(f.ip_address)) out.add(norm(f.ip_address)!);
  for (const e of c.publicips.values()) if (e.port_id && ports.some((p) => p.id === e.port_id) && norm(e.public_ip_address)) out.add(norm(e.public_ip_address)!);
  return [...out];
}

function selectServer(c: Collected, sel: InstanceSelection): Result<HwServer | null> {
  const list = c.servers;
  if (!list.length) return ok(null);
  const describe = (): string => list.map((s) => `${s.id} (${addressesOf(s, c).join(', ') || 'no address'})`).join('; ');
  if (sel.instanceId) {
    const s = list.find((x) => x.id === sel.instanceId);
    return s ? ok(s) : fail('InstanceNotInDocuments', `server ${sel.instanceId} is not in the documents given; they describe: ${describe()}`);
  }
  const addr = norm(sel.address);
  if (addr) {
    const owners = list.filter((s) => addressesOf(s, c).includes(addr));
    if (owners.length === 1) {
      if (list.length > 1) c.notes.push(`The documents describe ${list.length} servers; ${owners[0].id} owns ${addr} and is analysed.`);
      return ok(owners[0]);
    }
    if (owners.length > 1) return fail('AmbiguousInstance', `several servers in the documents have the address ${addr}: ${owners.map((o) => o.id).join(', ')}; say which with --instance`);
    if (list.length === 1) return ok(list[0]);
    return fail('NoInstanceForAddress', `none of the ${list.length} servers in the documents has the address ${addr}; they describe: ${describe()}. Give the ShowServer output of the server that owns ${addr}, or say which with --instance`);
  }
  if (list.length === 1) return ok(list[0]);
  return fail('AmbiguousInstance', `the documents describe ${list.length} servers (${describe()}); say which one with --instance or give the address`);
}

/** "cn-north-4a" → "cn-north-4" (Huawei availability zones are the region plus a letter). */
export function regionOfZone(zone: string | null | undefined): string | null {
  const m = zone ? /^([a-z]{2,}(?:-[a-z0-9]+)*-\d+)[a-z]$/.exec(zone) : null;
  return m ? m[1] : null;
}

const KNOWN =
  'expected the JSON KooCLI prints for Huawei Cloud: hcloud ECS ShowServer (or ListServersDetails), VPC ListPorts, VPC ShowSecurityGroup/v3 or ' +
  'ListSecurityGroupRules/v3, VPC ShowFirewall/v3 or ListFirewall/v3, EIP ListPublicips — or a saved SG Doctor snapshot of a Huawei server';

/** A KooCLI command; without a known region KooCLI uses its profile's. */
const cmd = (region: string, rest: string): string => (region === 'unknown' ? `hcloud ${rest}` : `hcloud ${rest} --cli-region=${region}`);

/** Builds a snapshot from KooCLI documents (texts, possibly several per text, or parsed objects). */
export function importHuaweiSnapshot(inputs: readonly (string | unknown | ImportInput)[], selection: InstanceSelection = {}): Result<CloudSnapshot> {
  const c: Collected = { servers: [], ports: [], groups: new Map(), listedRules: new Map(), firewalls: new Map(), listedFirewalls: new Map(), listedAllFirewalls: false, publicips: new Map(), snapshot: null, notes: [] };
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
        const kind = detectHuaweiDocument(v.value);
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
  // Rules listed by ListSecurityGroupRules make up a group of their own unless ShowSecurityGroup gave it.
  for (const [id, rules] of c.listedRules) {
    const g = c.groups.get(id);
    if (!g) c.groups.set(id, { id, security_group_rules: rules } as HwSecurityGroup);
    else if (!(g.security_group_rules ?? []).length) c.groups.set(id, { ...g, security_group_rules: rules });
  }
  if (!c.servers.length && !c.groups.size) return fail('IncompleteInput', 'need at least the output of `hcloud ECS ShowServer` or of `hcloud VPC ShowSecurityGroup/v3`');

  const chosen = selectServer(c, selection);
  if (!chosen.ok) return chosen;
  const server = chosen.value;
  const region = regionOfZone(server?.['OS-EXT-AZ:availability_zone']) ?? 'unknown';
  const ports = server ? c.ports.filter((p) => p.device_id === server.id || serverAddresses(server).some((a) => a.portId === p.id)) : c.ports;
  const notes = [...c.notes];
  const errors: CloudError[] = [];
  const r = region;

  // Which groups decide: the ports' (in their order), else the server's.
  const wanted = new Set([...ports.flatMap((p) => p.security_groups ?? []), ...(ports.length ? [] : (server?.security_groups ?? []).map((g) => g.id ?? '').filter(Boolean))]);
  if (!server && !ports.length) notes.push('No ShowServer or ListPorts output: the groups are analysed in the order given, as if all were on the server.');
  for (const id of wanted) {
    if (c.groups.has(id)) continue;
    errors.push({ action: 'ShowSecurityGroup', code: 'NotProvided', message: `rules of ${id} were not provided: add the output of \`${cmd(r, `VPC ShowSecurityGroup/v3 --security_group_id=${id}`)}\``, leavesUnknown: [`securityGroups/${id}`] });
  }
  if (server && !ports.length) notes.push(`No ListPorts output: the order of the groups is taken from ShowServer. Add \`${cmd(r, `VPC ListPorts --device_id=${server.id}`)}\` for each network interface's own groups and subnet.`);

  // Network ACLs: ShowFirewall gives the rules; ListFirewall proves which subnets have none.
  const subnets = [...new Set(ports.map((p) => p.network_id).filter((x): x is string => !!x))];
  const unreadFirewallSubnets: string[] = [];
  for (const [id, assoc] of c.listedFirewalls) {
    if (c.firewalls.has(id) || !assoc.some((s) => subnets.includes(s))) continue;
    unreadFirewallSubnets.push(...assoc.filter((s) => subnets.includes(s)));
    errors.push({ action: 'ShowFirewall', code: 'NotProvided', message: `network ACL ${id} guards the server's subnet, but its rules were not provided: add the output of \`${cmd(r, `VPC ShowFirewall/v3 --firewall_id=${id}`)}\``, leavesUnknown: ['networkAcls'] });
  }
  const guarded = subnets.every((s) => [...c.firewalls.values()].some((f) => (f.associations ?? []).some((a) => a.virsubnet_id === s)));
  // The list proves which subnets have no ACL; a listed ACL whose rules were not given leaves its subnets unknown.
  const firewallsRead = c.listedAllFirewalls;
  if (subnets.length && !guarded && !c.listedAllFirewalls) {
    notes.push(`No network ACL list: whether an ACL guards subnet ${subnets.join(', ')} is unknown. Add \`${cmd(r, 'VPC ListFirewall/v3')}\` (and ShowFirewall/v3 for the ACL of the subnet).`);
  }

  const snapshot = mapHuaweiSnapshot({
    region,
    source: 'import',
    server,
    ports,
    securityGroups: [...c.groups.values()],
    firewalls: [...c.firewalls.values()],
    firewallsRead,
    unreadFirewallSubnets,
    publicips: [...c.publicips.values()],
    errors,
    notes,
  });
  return ok(snapshot);
}
