import { renderKeyValues, renderTable, type Column } from './table.renderer';

type Row = { id: string; n: number; note?: string | null };
const COLUMNS: Column<Row>[] = [
  { header: 'id', value: (r) => r.id },
  { header: 'count', value: (r) => r.n, align: 'right' },
  { header: 'note', value: (r) => r.note },
];

describe('renderTable', () => {
  it('aligns columns under upper-case headers, numbers to the right, no trailing blanks', () => {
    const text = renderTable(
      COLUMNS,
      [
        { id: 'standup', n: 3, note: 'daily' },
        { id: 'x', n: 120, note: null },
      ],
      { color: false },
    );
    expect(text).toBe(
      ['ID        COUNT   NOTE', 'standup       3   daily', 'x           120', ''].join('\n'),
    );
  });

  it('prints only the header for no rows', () => {
    expect(renderTable(COLUMNS, [], { color: false })).toBe('ID   COUNT   NOTE\n');
  });

  it('bolds the header only with colour, and never lets cell text steer the terminal', () => {
    const text = renderTable(COLUMNS, [{ id: 'evil\u001b[2J', n: 1 }], { color: true });
    expect(text.split('\n')[0]).toBe('\u001b[1mID         COUNT   NOTE\u001b[0m');
    expect(text).toContain('evil?[2J');
    expect(text.split('\n')[1]).not.toContain('\u001b');
  });
});

describe('renderKeyValues', () => {
  it('aligns the keys', () => {
    expect(
      renderKeyValues(
        [
          ['id', 'standup'],
          ['participants', 0],
          ['ended', null],
        ],
        { color: false },
      ),
    ).toBe('id:            standup\nparticipants:  0\nended:\n');
  });
});
