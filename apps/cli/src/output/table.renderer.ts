/** One column of a table: its header and how to read a row's cell. */
export interface Column<T> {
  readonly header: string;
  readonly value: (row: T) => string | number | boolean | null | undefined;
  /** Numbers read better right-aligned. */
  readonly align?: 'left' | 'right';
}

export interface RenderStyle {
  /** Bold headers (ANSI); only when writing to a terminal. */
  readonly color: boolean;
}

const BOLD = '\u001b[1m';
const RESET = '\u001b[0m';

/** A cell as text: empty for null/undefined, `-` never invented; control characters replaced. */
export function cellText(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '';
  // Server data must not move the cursor or colour the terminal.
  return String(value).replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
}

const pad = (text: string, width: number, align: 'left' | 'right' = 'left') =>
  align === 'right' ? text.padStart(width) : text.padEnd(width);

/**
 * Aligned columns separated by three spaces, headers upper-case (like kubectl). Trailing blanks are
 * trimmed; an empty table prints only its header line.
 */
export function renderTable<T>(
  columns: readonly Column<T>[],
  rows: readonly T[],
  style: RenderStyle,
): string {
  const cells = rows.map((row) => columns.map((c) => cellText(c.value(row))));
  const widths = columns.map((c, i) => Math.max(c.header.length, ...cells.map((r) => r[i].length)));
  const line = (texts: string[]) =>
    texts
      .map((t, i) => pad(t, widths[i], columns[i].align))
      .join('   ')
      .trimEnd();
  const header = line(columns.map((c) => c.header.toUpperCase()));
  const out = [style.color ? `${BOLD}${header}${RESET}` : header, ...cells.map(line)];
  return `${out.join('\n')}\n`;
}

/** `key: value` lines with the keys aligned, for one object (`show`, `create`). */
export function renderKeyValues(
  pairs: ReadonlyArray<readonly [string, string | number | boolean | null | undefined]>,
  style: RenderStyle,
): string {
  const width = Math.max(0, ...pairs.map(([k]) => k.length + 1));
  return pairs
    .map(([k, v]) => {
      const key = pad(`${k}:`, width);
      return `${style.color ? `${BOLD}${key}${RESET}` : key}  ${cellText(v)}`.trimEnd();
    })
    .map((l) => `${l}\n`)
    .join('');
}
