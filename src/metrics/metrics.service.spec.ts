import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { MetricsService } from './metrics.service';

/** A full (major) collection on demand: `--expose-gc` set at run time, `gc` taken from a fresh context. */
function majorGc(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

async function gaugeValue(metrics: MetricsService, name: string): Promise<number> {
  const m = await metrics.registry.getSingleMetric(name)!.get();
  return m.values[0].value;
}

describe('MetricsService', () => {
  it('should report the live heap after a major GC, not the garbage held since the last one', async () => {
    // About 80 MB held when the service starts (its first figure), then dropped and collected: the gauge
    // follows the collection down.
    let junk: number[][] | null = Array.from({ length: 400_000 }, (_, i) => [i, i + 1, i + 2, i + 3, i + 4, i + 5, i + 6, i + 7, i + 8, i + 9, i + 10, i + 11]);
    const metrics = new MetricsService();
    try {
      const withJunk = await gaugeValue(metrics, 'ad_nodejs_heap_live_bytes');
      expect(junk.length).toBe(400_000);
      junk = null;
      majorGc();
      // The observer is told after the collection, on a later turn of the event loop.
      await new Promise((r) => setTimeout(r, 50));
      const live = await gaugeValue(metrics, 'ad_nodejs_heap_live_bytes');
      expect(live).toBeGreaterThan(0);
      expect(live).toBeLessThan(withJunk - 40e6);
      expect((await metrics.render()).body).toMatch(/# TYPE ad_nodejs_heap_live_bytes gauge/);
    } finally {
      metrics.onModuleDestroy();
    }
  });
});
