// Plain-text tables: a title, a header row and aligned columns (numbers right, text left).

/** One printed table: column names and rows of already formatted cells. */
export interface Table {
  readonly title: string;
  readonly columns: readonly string[];
  readonly rows: readonly (readonly string[])[];
  /** Lines printed under the table (targets, caveats). */
  readonly notes?: readonly string[];
}

const NUMERIC = /^[-+±]?[\d,.]+\s*(x|µs|ms|s|B|KiB|MiB|%)?$/;

/** Renders a table as aligned plain text (also valid inside a Markdown code block). */
export function renderTable(table: Table): string {
  const widths = table.columns.map((name, i) => Math.max(name.length, ...table.rows.map((row) => (row[i] ?? '').length)));
  const rightAligned = table.columns.map((_, i) => table.rows.length > 0 && table.rows.every((row) => NUMERIC.test(row[i] ?? '') || row[i] === '-'));
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, i) => (rightAligned[i] ? cell.padStart(widths[i]) : cell.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  const out = [table.title, line(table.columns), widths.map((w) => '-'.repeat(w)).join('  '), ...table.rows.map(line)];
  for (const note of table.notes ?? []) out.push(note);
  return out.join('\n');
}
