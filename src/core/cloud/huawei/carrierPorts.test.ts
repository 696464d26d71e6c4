import { describe, expect, it } from 'vitest';
import { carrierMayBlock } from './carrierPorts';

describe('carrierMayBlock', () => {
  it('knows the documented TCP and UDP lists, per protocol', () => {
    for (const p of [42, 135, 445, 1433, 3128, 5900, 9996]) expect(carrierMayBlock('tcp', p), String(p)).toBe(true);
    for (const p of [135, 136, 139, 1026, 4789, 9995]) expect(carrierMayBlock('udp', p), String(p)).toBe(true);
    // UDP 136 and 1026 are on the UDP list only; TCP 444 and 5800 on the TCP list only.
    expect(carrierMayBlock('tcp', 136)).toBe(false);
    expect(carrierMayBlock('tcp', 1026)).toBe(false);
    expect(carrierMayBlock('udp', 444)).toBe(false);
    expect(carrierMayBlock('udp', 5800)).toBe(false);
  });
  it('common service ports and other protocols are not on it', () => {
    for (const p of [22, 80, 443, 3306, 3389, 8080]) expect(carrierMayBlock('tcp', p), String(p)).toBe(false);
    expect(carrierMayBlock('icmp', 445)).toBe(false);
    expect(carrierMayBlock('all', 445)).toBe(false);
  });
});
