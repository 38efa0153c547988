/** Small inline-SVG charts: bars, a line, horizontal bars. Each has a text alternative (title + table). */

interface Point {
  label: string;
  value: number | null;
}

const W = 320;
const H = 140;
const PAD = { top: 12, right: 8, bottom: 4, left: 8 };

/** First, middle and last bucket labels under a chart (HTML, so the stretched SVG never distorts text). */
function Ticks({ data }: { data: Point[] }) {
  if (data.length === 0) return null;
  const picks = [...new Set([0, Math.floor((data.length - 1) / 2), data.length - 1])];
  return (
    <div class="chart-ticks" aria-hidden="true">
      {picks.map((i) => (
        <span key={i}>{data[i].label}</span>
      ))}
    </div>
  );
}

function A11yTable({ data, format, label }: { data: Point[]; format: (v: number) => string; label: string }) {
  return (
    <table class="sr-only">
      <caption>{label}</caption>
      <tbody>
        {data.map((d, i) => (
          <tr key={i}>
            <th scope="row">{d.label}</th>
            <td>{d.value === null ? 'no data' : format(d.value)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function BarChart({ data, format, label, tone = 'accent' }: { data: Point[]; format: (v: number) => string; label: string; tone?: 'accent' | 'accent2' }) {
  const max = Math.max(0, ...data.map((d) => d.value ?? 0));
  const innerW = W - PAD.left - PAD.right;
  const innerH = H - PAD.top - PAD.bottom;
  const bw = innerW / Math.max(1, data.length);
  const total = data.reduce((s, d) => s + (d.value ?? 0), 0);
  return (
    <figure class="chart">
      <figcaption class="chart-head">
        <span class="chart-total">{format(total)}</span>
        <span class="muted">in range · peak {format(max)}</span>
      </figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={`${label}: ${format(total)} in total`} class={`chart-svg chart-${tone}`} preserveAspectRatio="none">
        <line x1={PAD.left} x2={W - PAD.right} y1={H - PAD.bottom} y2={H - PAD.bottom} class="chart-axis" />
        {data.map((d, i) => {
          const h = max > 0 ? ((d.value ?? 0) / max) * innerH : 0;
          return (
            <rect key={i} x={PAD.left + i * bw + bw * 0.15} width={Math.max(1, bw * 0.7)} y={H - PAD.bottom - h} height={h} rx={Math.min(3, bw * 0.2)} class="chart-bar">
              <title>{`${d.label}: ${format(d.value ?? 0)}`}</title>
            </rect>
          );
        })}
      </svg>
      <Ticks data={data} />
      <A11yTable data={data} format={format} label={label} />
    </figure>
  );
}

export function LineChart({ data, format, label }: { data: Point[]; format: (v: number) => string; label: string }) {
  const innerW = W - PAD.left - PAD.right;
  const innerH = H - PAD.top - PAD.bottom;
  const x = (i: number) => PAD.left + (data.length <= 1 ? innerW / 2 : (i / (data.length - 1)) * innerW);
  const y = (v: number) => PAD.top + (1 - v) * innerH;
  const pts = data.map((d, i) => (d.value === null ? null : ([x(i), y(d.value)] as const)));
  const segs: string[] = [];
  let cur = '';
  for (const p of pts) {
    if (!p) {
      if (cur) segs.push(cur);
      cur = '';
      continue;
    }
    cur += `${cur ? 'L' : 'M'}${p[0].toFixed(1)},${p[1].toFixed(1)}`;
  }
  if (cur) segs.push(cur);
  const known = data.filter((d) => d.value !== null) as Array<{ label: string; value: number }>;
  const avg = known.length ? known.reduce((s, d) => s + d.value, 0) / known.length : null;
  return (
    <figure class="chart">
      <figcaption class="chart-head">
        <span class="chart-total">{avg === null ? '—' : format(avg)}</span>
        <span class="muted">average of finished jobs</span>
      </figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={`${label}: ${avg === null ? 'no finished jobs' : format(avg)}`} class="chart-svg" preserveAspectRatio="none">
        {[0, 0.5, 1].map((g) => (
          <line key={g} x1={PAD.left} x2={W - PAD.right} y1={y(g)} y2={y(g)} class="chart-grid-line" />
        ))}
        {segs.map((d, i) => (
          <path key={i} d={d} class="chart-line" />
        ))}
        {pts.map((p, i) =>
          p ? (
            <circle key={i} cx={p[0]} cy={p[1]} r={2.6} class="chart-dot">
              <title>{`${data[i].label}: ${format(data[i].value!)}`}</title>
            </circle>
          ) : null,
        )}
      </svg>
      <Ticks data={data} />
      <A11yTable data={data} format={format} label={label} />
    </figure>
  );
}

export function HBarChart({ data, format, label }: { data: Array<{ label: string; value: number }>; format: (v: number) => string; label: string }) {
  const max = Math.max(0.001, ...data.map((d) => d.value));
  return (
    <figure class="chart">
      <ul class="hbars" aria-label={label}>
        {data.map((d) => (
          <li key={d.label}>
            <span class="hbar-label">{d.label}</span>
            <span class="hbar-track" aria-hidden="true">
              <span class="hbar-fill" style={{ width: `${(d.value / max) * 100}%` }} />
            </span>
            <span class="hbar-value">{format(d.value)}</span>
          </li>
        ))}
      </ul>
    </figure>
  );
}
