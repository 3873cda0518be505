// What the werift engine does to ICE candidates given to it and gathered by it.

/**
 * A candidate we cannot use and must not wait for: an mDNS name (`<uuid>.local`, Chrome's default when it
 * hides local addresses) — resolving it would block for seconds and the browser's connectivity checks
 * reach us anyway (peer-reflexive), as with Kurento — or an empty one (end of candidates).
 */
export function unusableCandidate(candidate: string): boolean {
  if (!candidate.trim()) return true;
  const address = candidate.replace(/^candidate:/, '').split(/\s+/)[4] ?? '';
  return /\.local\.?$/i.test(address);
}

/** Replaces the connection address (field 5) of an SDP candidate line. */
export function announce(candidate: string, ip: string | undefined): string {
  if (!ip) return candidate;
  const parts = candidate.split(' ');
  if (parts.length > 5 && parts[7] === 'host') parts[4] = ip;
  return parts.join(' ');
}
