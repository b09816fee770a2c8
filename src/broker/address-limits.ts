/**
 * Per-address caps of the embedded broker: how many connections one address may hold open,
 * and how many of them may still be waiting for their CONNECT (a slowloris holds sockets
 * that way until MQTT_CONNECT_TIMEOUT). A connection over a cap is closed as soon as it is
 * accepted, before a byte of it is read. IPv4 addresses count one by one; IPv6 addresses by
 * their /64 (one host usually holds a whole /64); IPv4-mapped IPv6 addresses as IPv4.
 */
import net from 'node:net';

export interface AddressLimitSettings {
  maxConnections: number;
  maxPending: number;
}

export type AddressRefusal = 'address_connections' | 'address_pending';

/** One admitted connection: say when its CONNECT arrived, and when it closed (both idempotent). */
export interface AddressTicket {
  readonly address: string;
  connected(): void;
  release(): void;
}

/** The address a cap counts against. */
export function addressKey(remoteAddress: string | undefined): string {
  if (!remoteAddress) return 'unknown';
  const bare = remoteAddress.replace(/%.*$/, '');
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(bare);
  if (mapped) return mapped[1]!;
  if (net.isIPv6(bare)) return `${ipv6Groups(bare).slice(0, 4).join(':')}::/64`;
  return bare;
}

/** The eight 16-bit groups of an IPv6 address, as hex without leading zeros. */
function ipv6Groups(address: string): string[] {
  const [head = '', tail] = address.split('::') as [string, string?];
  const part = (s: string) => (s === '' ? [] : s.split(':'));
  let left = part(head);
  let right = tail === undefined ? [] : part(tail);
  // An embedded IPv4 tail (::1.2.3.4) is two groups.
  const v4 = (groups: string[]) => {
    const last = groups.at(-1);
    if (!last || !last.includes('.')) return groups;
    const [a, b, c, d] = last.split('.').map(Number) as [number, number, number, number];
    return [...groups.slice(0, -1), ((a << 8) | b).toString(16), ((c << 8) | d).toString(16)];
  };
  if (tail === undefined) left = v4(left);
  else right = v4(right);
  const fill = tail === undefined ? [] : Array.from({ length: 8 - left.length - right.length }, () => '0');
  return [...left, ...fill, ...right].map((g) => parseInt(g, 16).toString(16));
}

export class AddressLimits {
  readonly #open = new Map<string, { connections: number; pending: number }>();

  constructor(readonly settings: AddressLimitSettings) {}

  /** A ticket for a new connection from `remoteAddress`, or why it is refused. */
  admit(remoteAddress: string | undefined): AddressTicket | AddressRefusal {
    const address = addressKey(remoteAddress);
    const counts = this.#open.get(address) ?? { connections: 0, pending: 0 };
    if (counts.connections >= this.settings.maxConnections) return 'address_connections';
    if (counts.pending >= this.settings.maxPending) return 'address_pending';
    counts.connections += 1;
    counts.pending += 1;
    this.#open.set(address, counts);
    let pending = true;
    let open = true;
    const done = () => {
      if (pending) {
        pending = false;
        counts.pending -= 1;
      }
    };
    return {
      address,
      connected: done,
      release: () => {
        if (!open) return;
        open = false;
        done();
        counts.connections -= 1;
        if (counts.connections === 0) this.#open.delete(address);
      },
    };
  }

  /** Open and pending connections of an address (tests, diagnostics). */
  of(remoteAddress: string | undefined): { connections: number; pending: number } {
    return { ...(this.#open.get(addressKey(remoteAddress)) ?? { connections: 0, pending: 0 }) };
  }
}
