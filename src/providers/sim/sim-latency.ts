/**
 * Latency distributions of the `sim` providers (docs/design/performance.md, "Sim providers"), in milliseconds:
 * - `2000`: always 2 s;
 * - `20000-40000`: uniform between 20 s and 40 s;
 * - `exp:5000`: exponential with a 5 s mean (a long tail, as hosted model queues have).
 */
export type LatencySpec = { kind: 'fixed'; ms: number } | { kind: 'uniform'; minMs: number; maxMs: number } | { kind: 'exp'; meanMs: number };

/**
 * Parses one `SIM_LATENCY_<STAGE>` value.
 * @returns the spec, or an error message naming the accepted forms
 */
export function parseLatencySpec(raw: string): LatencySpec | string {
  const v = raw.trim();
  let m = /^(\d+(?:\.\d+)?)$/.exec(v);
  if (m) return { kind: 'fixed', ms: Number(m[1]) };
  m = /^(\d+(?:\.\d+)?)\s*-\s*(\d+(?:\.\d+)?)$/.exec(v);
  if (m && Number(m[1]) <= Number(m[2])) return { kind: 'uniform', minMs: Number(m[1]), maxMs: Number(m[2]) };
  m = /^exp:(\d+(?:\.\d+)?)$/.exec(v);
  if (m) return { kind: 'exp', meanMs: Number(m[1]) };
  return `expected milliseconds "N", a range "MIN-MAX" or "exp:MEAN", got "${raw}"`;
}

/**
 * Draws one latency from a spec.
 * @param random uniform in [0, 1) (injected so tests are deterministic)
 */
export function sampleLatencyMs(spec: LatencySpec, random: () => number = Math.random): number {
  switch (spec.kind) {
    case 'fixed':
      return spec.ms;
    case 'uniform':
      return spec.minMs + (spec.maxMs - spec.minMs) * random();
    case 'exp':
      return -spec.meanMs * Math.log(1 - random());
  }
}

/** The mean of a spec, milliseconds (for the critical-path figure of the orchestration bench). */
export function meanLatencyMs(spec: LatencySpec): number {
  return spec.kind === 'fixed' ? spec.ms : spec.kind === 'uniform' ? (spec.minMs + spec.maxMs) / 2 : spec.meanMs;
}

/**
 * Reads every `SIM_LATENCY_<STAGE>` variable: the stage is the suffix in lower case, so a new stage needs no
 * code here. Stages without a variable wait `SIM_LATENCY_DEFAULT` (default 50 ms).
 */
export function loadSimLatencies(env: NodeJS.ProcessEnv): { latency: Record<string, LatencySpec>; defaultLatency: LatencySpec; problems: string[] } {
  const problems: string[] = [];
  const latency: Record<string, LatencySpec> = {};
  let defaultLatency: LatencySpec = { kind: 'fixed', ms: 50 };
  for (const [name, raw] of Object.entries(env)) {
    const m = /^SIM_LATENCY_([A-Z0-9_]+)$/.exec(name);
    if (!m || raw === undefined || raw.trim() === '') continue;
    const spec = parseLatencySpec(raw);
    if (typeof spec === 'string') {
      problems.push(`${name}: ${spec}`);
      continue;
    }
    if (m[1] === 'DEFAULT') defaultLatency = spec;
    else latency[m[1].toLowerCase()] = spec;
  }
  return { latency, defaultLatency, problems };
}
