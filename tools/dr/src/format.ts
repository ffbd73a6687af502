import Table from 'cli-table3';

/** A plain table: no colours, so it reads the same in a terminal, a pipe and an incident ticket. */
export function table(head: string[], rows: string[][]): string {
  const t = new Table({ head, style: { head: [], border: [], compact: true }, wordWrap: true });
  t.push(...rows);
  return t.toString();
}

/** 95.2 -> "1:35": elapsed time in a run. */
export function clockTime(ms: number): string {
  const total = Math.floor(ms / 1000);
  const minutes = Math.floor(total / 60);
  const seconds = total % 60;
  return `${minutes}:${String(seconds).padStart(2, '0')}`;
}

/** 42.04 -> "42.0 s". */
export function seconds(value: number | undefined): string {
  return value === undefined ? '-' : `${value.toFixed(1)} s`;
}
