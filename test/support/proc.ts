import { readFileSync, readdirSync } from 'node:fs';

/** Pids of live (non-zombie) processes whose command line contains `argument`. */
export function pidsWithArgument(argument: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) continue;
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').includes(argument)) pids.push(Number(entry));
    } catch {
      // The process ended while being read.
    }
  }
  return pids;
}

/** The local addresses of every listening TCP socket on `port`, as dotted IPv4 or IPv6 hex. */
export function listeningAddresses(port: number): string[] {
  const addresses: string[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let lines: string[];
    try {
      lines = readFileSync(table, 'utf8').trim().split('\n').slice(1);
    } catch {
      continue;
    }
    for (const line of lines) {
      const [, local, , state] = line.trim().split(/\s+/);
      const [addressHex, portHex] = (local ?? '').split(':');
      if (state !== '0A' || parseInt(portHex ?? '', 16) !== port) continue; // 0A = LISTEN
      addresses.push(decodeAddress(addressHex ?? ''));
    }
  }
  return addresses;
}

function decodeAddress(hex: string): string {
  if (hex.length === 8) return ipv4(hex);
  // An IPv4-mapped IPv6 address (::ffff:a.b.c.d) as Java listens on a dual-stack socket.
  if (hex.startsWith('0000000000000000FFFF0000')) return ipv4(hex.slice(24));
  return hex;
}

/** /proc/net prints each 32-bit word in host (little-endian) byte order. */
function ipv4(hex: string): string {
  const bytes = hex.match(/../g)!.map((byte) => parseInt(byte, 16));
  return bytes.reverse().join('.');
}
