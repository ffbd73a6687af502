import type { DrillReport } from './analysis';

const WIDTH = 960;
const HEIGHT = 420;
const MARGIN = { left: 56, right: 180, top: 48, bottom: 120 };
const COLOURS = ['#2b6cb0', '#2f855a', '#6b46c1', '#b7791f'];
const ERROR_COLOUR = '#c53030';

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/**
 * The drill as a picture a person opens: acknowledged writes per second stacked by the region
 * that served them, errors per second below the axis, the fault and each step of the operation
 * marked. A self-contained SVG (no script, no external font).
 */
export function timelineSvg(report: DrillReport): string {
  const seconds = report.timeline;
  const regions = [...new Set(seconds.flatMap((s) => Object.keys(s.acknowledged)))].sort();
  const colour = (region: string) => COLOURS[regions.indexOf(region) % COLOURS.length]!;
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const duration = Math.max(1, seconds.length);
  const maxAck = Math.max(1, ...seconds.map((s) => Object.values(s.acknowledged).reduce((a, b) => a + b, 0)));
  const maxErr = Math.max(1, ...seconds.map((s) => s.errors));
  const upH = plotH * 0.7;
  const downH = plotH * 0.3;
  const axisY = MARGIN.top + upH;
  const x = (second: number) => MARGIN.left + (second / duration) * plotW;
  const barW = Math.max(1, plotW / duration - 1);
  const parts: string[] = [];

  parts.push(`<rect width="${WIDTH}" height="${HEIGHT}" fill="#ffffff"/>`);
  parts.push(
    `<text x="${MARGIN.left}" y="24" font-size="16" font-weight="bold">${escape(`dr drill ${report.operation}, fault ${report.fault}, profile ${report.profile}: ${report.from.region} -> ${report.to.region}`)}</text>`,
  );
  parts.push(
    `<text x="${MARGIN.left}" y="42" font-size="12">${escape(
      `acknowledged ${report.acknowledged}, lost ${report.lostAcknowledged}, split-brain ${report.splitBrainWrites}, write downtime ${report.writeDowntimeSeconds} s, RTO ${report.rtoSeconds ?? 'n/a'} s, outcome ${report.outcome}`,
    )}</text>`,
  );
  for (const s of seconds) {
    let top = axisY;
    for (const region of regions) {
      const n = s.acknowledged[region] ?? 0;
      if (n === 0) continue;
      const h = (n / maxAck) * upH;
      top -= h;
      parts.push(`<rect x="${x(s.second).toFixed(1)}" y="${top.toFixed(1)}" width="${barW.toFixed(1)}" height="${h.toFixed(1)}" fill="${colour(region)}"><title>${s.second} s: ${n} acknowledged by ${escape(region)}</title></rect>`);
    }
    if (s.errors > 0) {
      const h = (s.errors / maxErr) * downH;
      parts.push(`<rect x="${x(s.second).toFixed(1)}" y="${axisY.toFixed(1)}" width="${barW.toFixed(1)}" height="${h.toFixed(1)}" fill="${ERROR_COLOUR}"><title>${s.second} s: ${s.errors} errors</title></rect>`);
    }
  }
  parts.push(`<line x1="${MARGIN.left}" y1="${axisY}" x2="${MARGIN.left + plotW}" y2="${axisY}" stroke="#333"/>`);
  parts.push(`<text x="8" y="${MARGIN.top + 12}" font-size="11">${maxAck}/s</text>`);
  parts.push(`<text x="8" y="${axisY + downH}" font-size="11" fill="${ERROR_COLOUR}">${maxErr} err/s</text>`);
  for (let t = 0; t <= duration; t += Math.max(1, Math.ceil(duration / 12))) {
    parts.push(`<text x="${x(t).toFixed(1)}" y="${axisY + downH + 16}" font-size="11" text-anchor="middle">${t}s</text>`);
  }

  const marks: { at: number; label: string; colour: string }[] = [];
  const toSecond = (ms: number) => (ms - report.marks.loadStart) / 1000;
  if (report.marks.fault !== null) marks.push({ at: toSecond(report.marks.fault), label: `fault: ${report.fault}`, colour: ERROR_COLOUR });
  for (const step of report.steps) if (step.startedAtSeconds !== null) marks.push({ at: step.startedAtSeconds, label: `${step.name} (${step.status}, ${step.seconds} s)`, colour: '#4a5568' });
  marks.push({ at: toSecond(report.marks.operationEnd), label: 'operation ended', colour: '#1a202c' });
  marks.forEach((mark, i) => {
    const mx = x(Math.max(0, Math.min(duration, mark.at)));
    const labelY = axisY + downH + 34 + (i % 5) * 14;
    parts.push(`<line x1="${mx.toFixed(1)}" y1="${MARGIN.top}" x2="${mx.toFixed(1)}" y2="${labelY - 10}" stroke="${mark.colour}" stroke-dasharray="4 3"/>`);
    parts.push(`<text x="${(mx + 3).toFixed(1)}" y="${labelY}" font-size="11" fill="${mark.colour}">${escape(mark.label)}</text>`);
  });

  const legendX = MARGIN.left + plotW + 16;
  regions.forEach((region, i) => {
    parts.push(`<rect x="${legendX}" y="${MARGIN.top + i * 18}" width="12" height="12" fill="${colour(region)}"/>`);
    parts.push(`<text x="${legendX + 18}" y="${MARGIN.top + i * 18 + 10}" font-size="12">acknowledged by ${escape(region)}</text>`);
  });
  parts.push(`<rect x="${legendX}" y="${MARGIN.top + regions.length * 18}" width="12" height="12" fill="${ERROR_COLOUR}"/>`);
  parts.push(`<text x="${legendX + 18}" y="${MARGIN.top + regions.length * 18 + 10}" font-size="12">errors (no 201)</text>`);

  return `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif">\n${parts.join('\n')}\n</svg>\n`;
}
