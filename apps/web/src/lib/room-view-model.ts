import { ROOM_TYPE_RULES, type ChildView, type RoomType, type RoomView } from '@hoot/domain';

/** One tile of the video grid. */
export interface TileModel {
  participantId: string;
  displayName: string;
  initials: string;
  role: 'publisher' | 'viewer';
  roleLabel: string;
  isOwner: boolean;
  isMe: boolean;
  handRaised: boolean;
  /** Sends audio/video (has streams in the room). */
  live: boolean;
  audioOnly: boolean;
  /** We may remove this participant (we are a publisher, it is not us). */
  canKick: boolean;
}

export interface RoomModel {
  title: string;
  type: RoomType;
  typeTitle: string;
  tiles: TileModel[];
  me: TileModel | undefined;
  isOwner: boolean;
  /** Viewer who may ask to speak (not in p2p/p2m-only rooms where viewers cannot be promoted… all allow it). */
  canRaiseHand: boolean;
  handRaised: boolean;
  /** Raised hands the owner has to answer, oldest first. */
  requests: { participantId: string; displayName: string }[];
  /** Owner, or either side of a call. */
  canEnd: boolean;
  /** The conference's creator, in a room CASH records (every type but p2p: a call's media never reaches it). */
  canRecord: boolean;
  counts: { publishers: number; viewers: number; maxPublishers: number };
  chat: ChatLine[];
  /** Shared screens, shown large on the stage, in join order of their sharers. */
  screens: ScreenModel[];
  /** The "Share screen" control. */
  screenShare: ScreenShareControl;
}

/** A shared screen on the stage. */
export interface ScreenModel {
  participantId: string;
  displayName: string;
  isMe: boolean;
  /** "Ada is presenting" / "You are presenting". */
  caption: string;
}

/**
 * Whether the page offers screen sharing: hidden where the room never allows it (a2m, p2p) and for
 * viewers (who have no media controls at all); shown but disabled, with the reason, while someone
 * else shares (one screen per room) or when the browser cannot capture a screen.
 */
export interface ScreenShareControl {
  visible: boolean;
  /** We share now: the control stops it. */
  sharing: boolean;
  enabled: boolean;
  /** Why it is disabled (its tooltip). */
  reason?: string;
}

export interface ChatLine {
  id: string;
  author: string;
  text: string;
  time: string;
  mine: boolean;
}

/** "Ada Lovelace" → "AL", "bob" → "B". */
export function initialsOf(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  if (words.length === 0) return '?';
  const letters =
    words.length === 1 ? [...words[0]].slice(0, 1) : [[...words[0]][0], [...words[words.length - 1]][0]];
  return letters.join('').toUpperCase();
}

/** "12:05" in the viewer's time zone (UTC in specs: pass the formatter). */
export type TimeFormat = (epochMs: number) => string;
export const localTime: TimeFormat = (ms) =>
  new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });

/**
 * Turns the room object (seed 003) into what the room screen shows: tiles in join order with the owner
 * first, badges, who may kick, pending raised hands for the owner, and the chat children.
 */
export function roomModel(
  view: RoomView,
  me: string,
  time: TimeFormat = localTime,
  browser: { canShareScreen: boolean } = { canShareScreen: true },
): RoomModel {
  const rules = ROOM_TYPE_RULES[view.type];
  const mine = view.participants[me];
  const iPublish = mine?.role === 'publisher';
  const people = Object.values(view.participants).sort((a, b) => a.joinOrder - b.joinOrder);
  const names = new Map(people.map((p) => [p.participantId, p.displayName || 'Guest']));
  const tiles: TileModel[] = people.map((p) => {
    const displayName = names.get(p.participantId)!;
    return {
      participantId: p.participantId,
      displayName,
      initials: initialsOf(displayName),
      role: p.role,
      roleLabel: view.type === 'p2p' ? 'in call' : p.role === 'publisher' ? 'speaker' : 'viewer',
      isOwner: view.ownerId === p.participantId,
      isMe: p.participantId === me,
      handRaised: p.handRaised,
      live: p.streams.some((k) => k !== 'screen'),
      audioOnly: view.type === 'a2m' || (p.streams.includes('audio') && !p.streams.includes('video')),
      // Seed 001 as hoot enforces it: publishers kick, never the owner nor the conference's creator.
      canKick:
        iPublish &&
        p.participantId !== me &&
        view.type !== 'p2p' &&
        view.ownerId !== p.participantId &&
        p.identity !== view.creator,
    };
  });
  // Speakers first (owner at the head), then viewers; each group in join order.
  tiles.sort((a, b) => rank(a) - rank(b));
  const isOwner = view.ownerId === me;
  const publishers = people.filter((p) => p.role === 'publisher').length;
  const sharers = people.filter((p) => p.streams.includes('screen'));
  const screens: ScreenModel[] = sharers.map((p) => {
    const isMe = p.participantId === me;
    return {
      participantId: p.participantId,
      displayName: names.get(p.participantId)!,
      isMe,
      caption: isMe ? 'You are presenting' : `${names.get(p.participantId)!} is presenting`,
    };
  });
  const sharing = sharers.some((p) => p.participantId === me);
  const others = sharers.filter((p) => p.participantId !== me);
  const screenShare: ScreenShareControl = {
    visible: rules.maxScreens > 0 && iPublish,
    sharing,
    enabled: sharing || (others.length < rules.maxScreens && browser.canShareScreen),
    ...(sharing
      ? {}
      : others.length >= rules.maxScreens && others.length > 0
        ? { reason: `${names.get(others[0].participantId)!} is sharing a screen` }
        : !browser.canShareScreen
          ? { reason: 'This browser cannot share a screen' }
          : {}),
  };
  return {
    title: view.id,
    type: view.type,
    typeTitle: rules.title,
    tiles,
    me: tiles.find((t) => t.isMe),
    isOwner,
    canRaiseHand: mine?.role === 'viewer',
    handRaised: mine?.handRaised ?? false,
    requests: isOwner
      ? people
          .filter((p) => p.role === 'viewer' && p.handRaised)
          .map((p) => ({ participantId: p.participantId, displayName: names.get(p.participantId)! }))
      : [],
    // Ending for everyone is the conference's creator's (in a call, the caller's); CASH refuses others.
    canEnd: !!mine && (mine.identity === view.creator || rules.anyParticipantMayEnd),
    canRecord: !!mine && mine.identity === view.creator && view.type !== 'p2p',
    counts: { publishers, viewers: people.length - publishers, maxPublishers: rules.maxPublishers },
    chat: view.children.map((c: ChildView) => ({
      id: c.childId,
      // Who is here now by their current name; someone gone by the name the room kept with the message.
      author: names.get(c.by) ?? c.displayName ?? c.identity,
      text: c.text,
      time: time(c.at),
      mine: c.by === me,
    })),
    screens,
    screenShare,
  };

  function rank(t: TileModel): number {
    if (t.isOwner) return 0;
    return t.role === 'publisher' ? 1 : 2;
  }
}

/** Columns of the video grid for n tiles (1, 2, 2×2, 3×3 …), for a balanced layout. */
export function gridColumns(n: number): number {
  if (n <= 1) return 1;
  if (n <= 4) return 2;
  if (n <= 9) return 3;
  return 4;
}

/**
 * Columns on a phone (portrait, the stage split into rows that fit the screen): one or two tiles stacked,
 * more in two columns.
 */
export function mobileColumns(n: number): number {
  return n <= 2 ? 1 : 2;
}

/** One line per room type for the create form. */
export const ROOM_TYPE_HELP: Readonly<Record<RoomType, string>> = {
  m2m: 'Group video chat: up to 9 speakers with camera and microphone, any number of viewers.',
  a2m: 'Audio-only group chat: up to 9 speakers, any number of listeners.',
  p2m: 'Live broadcast: one presenter, any number of viewers.',
  p2p: 'One-to-one call between two people, directly peer to peer.',
};
