/** Reconnect rules: how long a departed identity keeps its place, and how many departures a room remembers. */
export const ROOM_RECONNECT_DEFAULTS = {
  /**
   * A reload rejoins in about a second and a network change in a few; 30 s also covers a browser that is
   * slow to notice its socket died. Longer would let a seat (and ownership) wait for someone who left.
   */
  graceMs: 30_000,
  /** One record per identity, newest kept: bounds the room's state however many people come and go. */
  maxDeparted: 200,
} as const;
