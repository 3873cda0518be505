import type { Segmenter } from './segmenter';

/** A client's blocking playlist reload (`_HLS_msn`, optional `_HLS_part`), RFC 8216bis §6.2.5.2. */
export interface ReloadRequest {
  msn: number;
  part?: number;
}

/** How far past the last part a request may reach before it is refused (§6.2.5.2: the Advance Part Limit). */
export const ADVANCE_PART_LIMIT = 3;

const DECIMAL_INTEGER = /^(0|[1-9][0-9]{0,15})$/;

export type ReloadParse = { ok: true; request?: ReloadRequest } | { ok: false; reason: string };

/** Reads the delivery directives; no directive means a plain (non-blocking) request. */
export function parseReloadRequest(query: URLSearchParams): ReloadParse {
  const msnText = query.get('_HLS_msn');
  const partText = query.get('_HLS_part');
  if (msnText === null) {
    if (partText !== null) return { ok: false, reason: '_HLS_part needs _HLS_msn' };
    return { ok: true };
  }
  if (!DECIMAL_INTEGER.test(msnText)) return { ok: false, reason: '_HLS_msn must be a decimal integer' };
  if (partText !== null && !DECIMAL_INTEGER.test(partText)) {
    return { ok: false, reason: '_HLS_part must be a decimal integer' };
  }
  const request: ReloadRequest = { msn: Number(msnText) };
  if (partText !== null) request.part = Number(partText);
  return { ok: true, request };
}

/** The media sequence number of the last segment the playlist lists (complete, or open with parts). */
function lastListedMsn(state: Segmenter): number | undefined {
  if (state.open && state.open.parts.length > 0) return state.open.msn;
  return state.segments.at(-1)?.msn;
}

/** Where the newest published part is: the open segment's last part, else the last complete segment's. */
function lastPart(state: Segmenter): { msn: number; index: number } | undefined {
  if (state.open && state.open.parts.length > 0)
    return { msn: state.open.msn, index: state.open.parts.length - 1 };
  const last = state.segments.at(-1);
  return last ? { msn: last.msn, index: last.parts.length - 1 } : undefined;
}

/**
 * Whether the playlist now satisfies the request: it ended, or it holds segment `msn` complete (no
 * `_HLS_part`), or part `part` of segment `msn` "or later" — if segment `msn` closed with fewer parts,
 * that is the first part of the next segment.
 */
export function isSatisfied(state: Segmenter, request: ReloadRequest): boolean {
  if (state.ended) return true;
  if (request.part === undefined) return request.msn <= (state.segments.at(-1)?.msn ?? -1);
  const last = lastPart(state);
  if (!last) return false;
  return last.msn > request.msn || (last.msn === request.msn && last.index >= request.part);
}

/**
 * A request the server refuses at once with 400 (§6.2.5.2): `_HLS_msn` more than two segments past the
 * last one listed, or `_HLS_part` more than the Advance Part Limit past the last part.
 */
export function isTooFarAhead(state: Segmenter, request: ReloadRequest): boolean {
  if (state.ended) return false;
  const last = lastListedMsn(state) ?? state.nextPart.msn - 1;
  if (request.msn > last + 2) return true;
  if (request.part === undefined) return false;
  const open = state.open;
  if (open && request.msn === open.msn) return request.part > open.parts.length - 1 + ADVANCE_PART_LIMIT;
  if (request.msn > (open?.msn ?? last)) return request.part >= ADVANCE_PART_LIMIT;
  return false;
}
