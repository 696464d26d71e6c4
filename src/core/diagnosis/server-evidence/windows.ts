// Windows Firewall: profiles (the script's `profile` lines, Get-NetFirewallProfile list output, or
// `netsh advfirewall show allprofiles` in English or Chinese) and inbound rules for the port (the
// script's `rule` lines). Block rules win over Allow rules; unmatched traffic meets the profile's
// default inbound action (Block unless configured otherwise).
import { applyDecisions, allPorts, newDecision, type FirewallFact, type PortDecision } from './decision';
import { listCovers } from './ports';

interface Profile {
  name: 'Domain' | 'Private' | 'Public';
  enabled: boolean | null;
  inbound: 'Block' | 'Allow' | 'NotConfigured' | null;
}

interface WinRule {
  action: 'Allow' | 'Block';
  profile: string;
  protocol: string;
  port: string;
  remote: string;
  name: string;
}

const PROFILE_NAMES: Record<string, Profile['name']> = {
  domain: 'Domain',
  private: 'Private',
  public: 'Public',
  域: 'Domain',
  专用: 'Private',
  公用: 'Public',
};

function onOff(v: string): boolean | null {
  if (/^(true|on|启用|开|开启|打开)$/i.test(v.trim())) return true;
  if (/^(false|off|禁用|关|关闭)$/i.test(v.trim())) return false;
  return null;
}

export function parseProfiles(text: string): Profile[] {
  const out = new Map<string, Profile>();
  const put = (name: Profile['name'], patch: Partial<Profile>): void => {
    out.set(name, { ...(out.get(name) ?? { name, enabled: null, inbound: null }), ...patch });
  };
  // Script format: "profile name=Public enabled=True inbound=Block"
  for (const m of text.matchAll(/^profile name=(\w+) enabled=(\w*) inbound=(\w*)/gm)) {
    const name = PROFILE_NAMES[m[1].toLowerCase()];
    if (name) put(name, { enabled: onOff(m[2]), inbound: (m[3] || null) as Profile['inbound'] });
  }
  // Get-NetFirewallProfile list output: "Name : Domain" / "Enabled : True" / "DefaultInboundAction : Block"
  let current: Profile['name'] | null = null;
  for (const line of text.split('\n')) {
    const kv = /^\s*(Name|Enabled|DefaultInboundAction)\s*:\s*(\S*)/.exec(line);
    if (kv) {
      if (kv[1] === 'Name') current = PROFILE_NAMES[kv[2].toLowerCase()] ?? null;
      else if (current && kv[1] === 'Enabled') put(current, { enabled: onOff(kv[2]) });
      else if (current) put(current, { inbound: (kv[2] || null) as Profile['inbound'] });
      continue;
    }
    // netsh: "Public Profile Settings:" / "公用配置文件 设置:", then "State ON" / "状态 启用",
    // "Firewall Policy BlockInbound,AllowOutbound" / "防火墙策略 BlockInbound,AllowOutbound".
    const head = /^(Domain|Private|Public) Profile Settings:|^(域|专用|公用)配置文件\s*设置:?/.exec(line.trim());
    if (head) {
      current = PROFILE_NAMES[(head[1] ?? head[2]).toLowerCase()] ?? null;
      continue;
    }
    const state = /^(State|状态)\s+(\S+)\s*$/.exec(line.trim());
    if (state && current) put(current, { enabled: onOff(state[2]) });
    const pol = /^(Firewall Policy|防火墙策略)\s+(\S+)/.exec(line.trim());
    if (pol && current) {
      const v = pol[2];
      put(current, { inbound: /BlockInboundAlways|BlockInbound|阻止入站/.test(v) ? 'Block' : /AllowInbound|允许入站/.test(v) ? 'Allow' : null });
    }
  }
  return [...out.values()];
}

export function parseWinRules(text: string): WinRule[] {
  const rules: WinRule[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('rule ')) continue;
    const f: Record<string, string> = {};
    for (const part of line.slice(5).split('\t')) {
      const i = part.indexOf('=');
      if (i > 0) f[part.slice(0, i).trim()] = part.slice(i + 1).trim();
    }
    if (f.action !== 'Allow' && f.action !== 'Block') continue;
    rules.push({ action: f.action, profile: f.profile ?? 'Any', protocol: f.protocol ?? 'Any', port: f.port ?? 'Any', remote: f.remote ?? 'Any', name: f.name ?? '' });
  }
  return rules;
}

function ruleCoversPort(r: WinRule, port: number): boolean {
  return r.port.split(',').some((p) => p.trim() === 'Any' || listCovers(p.trim().replace('-', ':'), port));
}

function ruleProfiles(r: WinRule): Profile['name'][] {
  if (/^(Any|All)$/i.test(r.profile)) return ['Domain', 'Private', 'Public'];
  return r.profile.split(/,\s*/).map((p) => PROFILE_NAMES[p.toLowerCase()]).filter(Boolean);
}

export function parseWindowsFirewall(sections: { profiles: string; rules: string; netprofile: string }, ports: number[], rulesListed: boolean): FirewallFact | null {
  const profiles = parseProfiles(sections.profiles);
  if (!profiles.length) return null;
  const categories = [...sections.netprofile.matchAll(/category=(\w+)/g)].map((m) => (m[1] === 'DomainAuthenticated' ? 'Domain' : m[1]));
  // The profiles in force: those of the connected networks when known, else all of them.
  const live = profiles.filter((p) => !categories.length || categories.includes(p.name));
  const enabled = live.filter((p) => p.enabled !== false);
  const fact: FirewallFact = {
    kind: 'windows',
    active: live.some((p) => p.enabled === true) ? true : live.every((p) => p.enabled === false) ? false : null,
    allowsPort: allPorts(ports, null),
    defaultInbound: enabled.length === 0 ? 'accept' : enabled.some((p) => p.inbound === 'Allow') && enabled.every((p) => p.inbound === 'Allow') ? 'accept' : 'drop',
    details: profiles.map((p) => `profile ${p.name}: ${p.enabled === null ? '?' : p.enabled ? 'on' : 'off'}, inbound ${p.inbound ?? '?'}${categories.length && !categories.includes(p.name) ? ' (not in use)' : ''}`),
  };
  const rules = parseWinRules(sections.rules);
  fact.rules = { kind: 'windows', profiles: profiles.map((p) => ({ ...p })), categories, rules: rules.map((r) => ({ ...r })), rulesListed };
  if (fact.active === false) {
    fact.allowsPort = allPorts(ports, true);
    return fact;
  }
  const liveNames = enabled.map((p) => p.name);
  const decisions = new Map<number, PortDecision>();
  for (const port of ports) {
    const d = newDecision();
    const applicable = rules.filter((r) => ruleCoversPort(r, port) && ruleProfiles(r).some((p) => liveNames.includes(p)));
    const block = applicable.find((r) => r.action === 'Block' && /^Any$/i.test(r.remote));
    const allowAny = applicable.find((r) => r.action === 'Allow' && /^Any$/i.test(r.remote));
    if (block) {
      d.action = 'drop';
      d.by = `Block rule "${block.name}"`;
    } else if (allowAny) {
      d.action = 'accept';
      d.by = `Allow rule "${allowAny.name}" (profile ${allowAny.profile})`;
    } else {
      for (const r of applicable.filter((x) => x.action === 'Allow')) d.allowedSources.push(...r.remote.split(','));
      const dflt = enabled.every((p) => p.inbound === 'Allow');
      d.action = dflt ? 'accept' : rulesListed ? 'drop' : null;
      d.by = rulesListed ? `no enabled inbound Allow rule for TCP ${port}; default inbound ${dflt ? 'Allow' : 'Block'}` : 'inbound rules not listed';
    }
    for (const r of applicable.filter((x) => x.action === 'Block' && !/^Any$/i.test(x.remote))) d.notes.push(`Block rule "${r.name}" for ${r.remote}`);
    decisions.set(port, d);
  }
  return applyDecisions(fact, decisions);
}
