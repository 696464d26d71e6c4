// Port ranges and the service names firewalls use in place of ports.

/** firewalld service names and ufw application profiles → TCP ports (the common ones). */
export const SERVICE_PORTS: Record<string, number[]> = {
  ssh: [22],
  openssh: [22],
  http: [80],
  https: [443],
  'http-alt': [8080],
  'http3': [443],
  mysql: [3306],
  postgresql: [5432],
  redis: [6379],
  rdp: [3389],
  'ms-wbt': [3389],
  ftp: [21],
  smtp: [25],
  smtps: [465],
  submission: [587],
  imaps: [993],
  pop3s: [995],
  dns: [53],
  mongodb: [27017],
  'kube-apiserver': [6443],
  cockpit: [9090],
  // ufw application profiles (ufw app list)
  'www': [80],
  'www full': [80, 443],
  'www secure': [443],
  'nginx http': [80],
  'nginx https': [443],
  'nginx full': [80, 443],
  apache: [80],
  'apache secure': [443],
  'apache full': [80, 443],
};

export function servicePorts(name: string): number[] | undefined {
  return SERVICE_PORTS[name.trim().toLowerCase()];
}

/** "22", "8000-8100", "8000:8100" → does it cover `port`? */
export function rangeCovers(spec: string, port: number): boolean {
  const m = /^(\d+)(?:[-:](\d+))?$/.exec(spec.trim());
  if (!m) return false;
  const lo = Number(m[1]);
  const hi = m[2] ? Number(m[2]) : lo;
  return port >= lo && port <= hi;
}

/** A comma list of ports/ranges ("80,443", "1000:2000,22"). */
export function listCovers(list: string, port: number): boolean {
  return list.split(',').some((part) => rangeCovers(part, port));
}
