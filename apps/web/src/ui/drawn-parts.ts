/**
 * Remembers the data each part of a screen was last drawn from, so a part is rebuilt only when its data
 * changed (buttons stay put, focus and scroll positions are kept while nothing about them changes).
 */
export class DrawnParts {
  private readonly drawn = new Map<string, string>();

  /** True when this part was last drawn from the same data (then it is left as is). */
  unchanged(part: string, data: unknown): boolean {
    const text = JSON.stringify(data);
    if (this.drawn.get(part) === text) return true;
    this.drawn.set(part, text);
    return false;
  }
}
