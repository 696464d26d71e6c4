// The read-only diagnostic scripts run on the instance (Cloud Assistant) or copied by the user. They
// only READ state: no service restarts, no rule changes, no package installs, no files written. Each
// section is delimited by `===SGD:<name>===` so parse.ts can turn the output into ServerEvidence, and each
// is capped so the whole output stays under Cloud Assistant's 24 KB limit; a cut section ends with
// `===SGD:truncated <name>===`. The user sees the exact script text before anything runs.

export const SECTION_PREFIX = '===SGD:';
/** Cloud Assistant keeps at most 24 KB of output; stay clearly below it. */
export const OUTPUT_LIMIT_BYTES = 24 * 1024;
export const SCRIPT_VERSION = 1;

/** Per-section byte budgets; their sum (plus markers) stays under ~22 KB. */
export const SECTION_BUDGETS: Record<string, number> = {
  os: 400,
  listeners: 4500,
  firewalld: 2500,
  ufw: 2000,
  iptables: 4500,
  nftables: 4000,
  sshd: 800,
  services: 900,
  selinux: 100,
  tcpwrappers: 300,
  netprofile: 300,
  profiles: 900,
  rules: 5000, // characters in PowerShell: Chinese rule names are 3 bytes each in UTF-8
  rdp: 200,
};

function safePorts(ports: number[]): number[] {
  const ok = [...new Set(ports.filter((p) => Number.isInteger(p) && p >= 1 && p <= 65535))];
  return ok.length ? ok.slice(0, 32) : [22];
}

/**
 * POSIX sh for Linux (bash, dash, busybox ash). Runs as root under Cloud Assistant; as a normal user it
 * still prints what it may read (some sections then say "permission denied").
 */
export function linuxEvidenceScript(portsOfInterest: number[]): string {
  const ports = safePorts(portsOfInterest);
  const b = SECTION_BUDGETS;
  return `#!/bin/sh
# SG Doctor read-only server check (v${SCRIPT_VERSION}). It changes nothing: it only lists listening
# sockets, firewall state, the effective sshd settings and service status, for port(s) ${ports.join(',')}.
export LC_ALL=C LANG=C
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:$PATH
SGD_PORTS="${ports.join(' ')}"
have() { command -v "$1" >/dev/null 2>&1; }
# Print one section, cut to a byte budget so the whole output fits Cloud Assistant's 24 KB.
section() {
  name=$1; limit=$2; shift 2
  echo "===SGD:$name==="
  out=$("$@" 2>&1)
  if [ "\${#out}" -gt "$limit" ]; then
    printf '%s\\n' "$out" | head -c "$limit"; echo; echo "===SGD:truncated $name==="
  else
    printf '%s\\n' "$out"
  fi
}
os_info() {
  # Which distribution and kernel: decides which firewall tools to expect.
  [ -r /etc/os-release ] && grep -E '^(PRETTY_NAME|ID|VERSION_ID)=' /etc/os-release
  uname -sr; echo "uid=$(id -u)"
}
listeners() {
  # Who listens on which address: 127.0.0.1 only means unreachable from outside.
  if have ss; then ss -tulnp; elif have netstat; then netstat -tulnp; else echo "no ss or netstat"; fi
}
firewalld_state() {
  # firewalld (CentOS, Alibaba Cloud Linux, RHEL): state, then every active zone's ports and services.
  have firewall-cmd || { echo "not installed"; return; }
  firewall-cmd --state
  firewall-cmd --state >/dev/null 2>&1 || return
  for z in $(firewall-cmd --get-active-zones | grep -v '^[[:space:]]'); do firewall-cmd --zone="$z" --list-all; done
  echo "default-zone: $(firewall-cmd --get-default-zone)"
}
ufw_state() {
  # ufw (Ubuntu): "Status", "Default: deny (incoming)" and the rule list, read-only.
  have ufw || { echo "not installed"; return; }
  ufw status verbose
}
iptables_state() {
  # The filter table as the kernel has it (policies, INPUT rules, jumps); iptables -S as fallback.
  if have iptables-save; then iptables-save -t filter; elif have iptables; then iptables -S; else echo "not installed"; fi
}
nft_state() {
  # nftables (Debian 10+): only chains hooked on input decide; the rest is cut first by the budget.
  have nft || { echo "not installed"; return; }
  nft list ruleset
}
sshd_state() {
  # Effective sshd configuration (after includes and defaults), only the lines that matter here.
  s=$(command -v sshd || echo /usr/sbin/sshd)
  [ -x "$s" ] || { echo "not installed"; return; }
  "$s" -T 2>&1 | grep -iE '^(port|listenaddress|permitrootlogin|passwordauthentication|pubkeyauthentication|allowusers|denyusers|allowgroups|maxstartups) |rror|denied'
}
services_state() {
  # Is the service behind the port running at all?
  have systemctl || { echo "no systemctl"; return; }
  for s in sshd ssh nginx httpd apache2 mysqld mysql mariadb postgresql redis redis-server docker firewalld ufw nftables; do
    load=$(systemctl show -p LoadState --value "$s.service" 2>/dev/null)
    [ "$load" = loaded ] && echo "service $s $(systemctl is-active "$s.service" 2>/dev/null)"
  done
}
selinux_state() { have getenforce && getenforce || echo "absent"; }
tcpwrappers() {
  # Old CentOS: sshd linked with libwrap obeys /etc/hosts.deny.
  for f in /etc/hosts.allow /etc/hosts.deny; do [ -r "$f" ] && grep -vE '^[[:space:]]*(#|$)' "$f" | sed "s|^|$f: |"; done
}
echo "===SGD:begin v=${SCRIPT_VERSION} os=linux ports=${ports.join(',')}==="
section os ${b.os} os_info
section listeners ${b.listeners} listeners
section firewalld ${b.firewalld} firewalld_state
section ufw ${b.ufw} ufw_state
section iptables ${b.iptables} iptables_state
section nftables ${b.nftables} nft_state
section sshd ${b.sshd} sshd_state
section services ${b.services} services_state
section selinux ${b.selinux} selinux_state
section tcpwrappers ${b.tcpwrappers} tcpwrappers
echo "===SGD:end==="
`;
}

/**
 * Windows PowerShell 5.1+ (Windows Server 2012 R2 and later); netsh / netstat fallbacks for older hosts.
 * Property values (True, Block, Listen) are printed from objects, so the output does not depend on the
 * display language; only rule display names and netsh fallbacks are localised.
 */
export function windowsEvidenceScript(portsOfInterest: number[]): string {
  const ports = safePorts(portsOfInterest);
  const b = SECTION_BUDGETS;
  return `# SG Doctor read-only server check (v${SCRIPT_VERSION}). It changes nothing: it only lists listening
# ports, Windows Firewall profiles and the inbound rules for port(s) ${ports.join(',')}, RDP settings and services.
$ErrorActionPreference = 'SilentlyContinue'
try { [Console]::OutputEncoding = [Text.Encoding]::UTF8 } catch {}
$SgdPorts = @(${ports.join(',')})
# Print one section, cut to a character budget so the whole output fits Cloud Assistant's 24 KB.
function Section([string]$Name, [int]$Limit, [scriptblock]$Body) {
  "===SGD:$Name==="
  $out = (& $Body 2>&1 | Out-String -Width 400).TrimEnd()
  if ($out.Length -gt $Limit) { $out.Substring(0, $Limit); "===SGD:truncated $Name===" } else { $out }
}
"===SGD:begin v=${SCRIPT_VERSION} os=windows ports=${ports.join(',')}==="
Section 'os' ${b.os} {
  # Which Windows and which display language (Chinese rule names are expected on zh-CN).
  $os = Get-CimInstance Win32_OperatingSystem
  "caption=$($os.Caption)"; "version=$($os.Version)"; "culture=$((Get-Culture).Name)"
}
Section 'listeners' ${b.listeners} {
  # Who listens where: 127.0.0.1 only means unreachable from outside.
  if (Get-Command Get-NetTCPConnection -ErrorAction SilentlyContinue) {
    $names = @{}; Get-Process | ForEach-Object { $names[[int]$_.Id] = $_.ProcessName }
    Get-NetTCPConnection -State Listen | Sort-Object LocalPort | ForEach-Object {
      "listen tcp $($_.LocalAddress) $($_.LocalPort) $($_.OwningProcess) $($names[[int]$_.OwningProcess])"
    }
  } else { netstat -ano -p tcp | Select-String 'LISTENING' }
}
Section 'netprofile' ${b.netprofile} {
  # Which firewall profile applies (Public / Private / DomainAuthenticated).
  Get-NetConnectionProfile | ForEach-Object { "netprofile category=$($_.NetworkCategory) interface=$($_.InterfaceAlias)" }
}
Section 'profiles' ${b.profiles} {
  # Is the firewall on, and what does it do with unsolicited inbound traffic?
  if (Get-Command Get-NetFirewallProfile -ErrorAction SilentlyContinue) {
    Get-NetFirewallProfile | ForEach-Object { "profile name=$($_.Name) enabled=$($_.Enabled) inbound=$($_.DefaultInboundAction)" }
  } else { netsh advfirewall show allprofiles state }
}
Section 'rules' ${b.rules} {
  # Enabled inbound rules whose TCP port filter covers a port of interest (Block rules win over Allow).
  $pf = @{}; Get-NetFirewallPortFilter -All | ForEach-Object { $pf[$_.InstanceID] = $_ }
  $af = @{}; Get-NetFirewallAddressFilter -All | ForEach-Object { $af[$_.InstanceID] = $_ }
  Get-NetFirewallRule -Direction Inbound -Enabled True | ForEach-Object {
    $f = $pf[$_.Name]; $a = $af[$_.Name]
    if (-not $f) { return }
    $proto = "$($f.Protocol)"; if ($proto -ne 'TCP' -and $proto -ne 'Any' -and $proto -ne '6') { return }
    $lp = @($f.LocalPort)
    $hit = $false
    foreach ($p in $SgdPorts) { foreach ($x in $lp) {
      if ("$x" -eq 'Any' -or "$x" -eq "$p") { $hit = $true }
      elseif ("$x" -match '^(\\d+)-(\\d+)$' -and $p -ge [int]$Matches[1] -and $p -le [int]$Matches[2]) { $hit = $true }
    } }
    if ($hit) { "rule action=$($_.Action)\`tprofile=$($_.Profile)\`tprotocol=$proto\`tport=$($lp -join ',')\`tremote=$(@($a.RemoteAddress) -join ',')\`tprogram=\`tname=$($_.DisplayName)" }
  }
}
Section 'rdp' ${b.rdp} {
  # RDP listens on PortNumber (not always 3389) and fDenyTSConnections=1 turns it off.
  $k = Get-ItemProperty 'HKLM:\\System\\CurrentControlSet\\Control\\Terminal Server\\WinStations\\RDP-Tcp'
  $t = Get-ItemProperty 'HKLM:\\System\\CurrentControlSet\\Control\\Terminal Server'
  "rdp port=$($k.PortNumber) deny=$($t.fDenyTSConnections)"
}
Section 'services' ${b.services} {
  # Is the service behind the port running at all?
  Get-Service -Name sshd, TermService, W3SVC, MSSQLSERVER, MySQL*, Apache*, nginx*, MpsSvc | ForEach-Object {
    "service $($_.Name) $($_.Status) $($_.StartType)"
  }
}
"===SGD:end==="
`;
}

export type EvidenceShell = 'sh' | 'powershell';

/** The script for an instance's OS type (ECS OSType: 'linux' | 'windows'). */
export function evidenceScript(os: 'linux' | 'windows', ports: number[]): { shell: EvidenceShell; commandType: 'RunShellScript' | 'RunPowerShellScript'; script: string } {
  return os === 'windows'
    ? { shell: 'powershell', commandType: 'RunPowerShellScript', script: windowsEvidenceScript(ports) }
    : { shell: 'sh', commandType: 'RunShellScript', script: linuxEvidenceScript(ports) };
}

/** Commands the scripts must never contain: a test and a reviewer's checklist. */
export const FORBIDDEN_COMMANDS: RegExp[] = [
  /\bsystemctl\s+(start|stop|restart|reload|enable|disable|mask)\b/,
  /\bservice\s+\S+\s+(start|stop|restart)/,
  /\bfirewall-cmd\b[^\n]*--(add|remove|reload|permanent|set|runtime-to-permanent|complete-reload|panic)/,
  /\bufw\s+(allow|deny|reject|limit|enable|disable|reset|delete|insert|default)\b/,
  /\biptables\b[^\n]*\s-(A|I|D|R|F|X|P|N|Z)\s/,
  /\bnft\s+(add|delete|flush|insert|replace|create|-f)\b/,
  /\b(Set|New|Remove|Enable|Disable)-NetFirewall/i,
  /\b(Start|Stop|Restart|Set)-Service\b/i,
  /\bSet-ItemProperty\b|\bNew-ItemProperty\b|\bRemove-Item\b/i,
  /netsh\s+advfirewall\s+(set|reset|import|firewall\s+(add|delete|set))/i,
  /\brm\s+-|\bmv\s|\bchmod\b|\bchown\b|>\s*\/(etc|var|usr)/,
];
