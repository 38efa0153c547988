/**
 * Dev script: renders the four sample ads of assets/samples/prompts.json (as SAMPLE_REQUESTS, test/fixtures/plans.ts) through the local providers
 * and, when the workspace's independent delivery check exists beside the clone, checks each with it
 * (docs/design/composition.md, "Checking a result"). Prints timings (seconds) per stage.
 *
 * Run: bash scripts/render-samples.sh [out-dir] [sample-name...]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { localCompositionSettings } from '../config/providers/local.config';
import { setBrandFontFile } from '../src/media/text-card.renderer';
import { planTimeline } from '../src/media/timeline';
import type { ProviderContext } from '../src/providers/ports';
import { LocalClipGenerator } from '../src/providers/local/local-clip.generator';
import { LocalImageGenerator } from '../src/providers/local/local-image.generator';
import { LocalCompositor } from '../src/providers/local/local.compositor';
import { makeAdPlan, sampleBrand, SAMPLE_REQUESTS } from '../test/fixtures/plans';
import { standaloneContext } from '../src/providers/standalone-context';

function context(workDir: string, attemptId: string): ProviderContext {
  return standaloneContext('render-samples', workDir, attemptId);
}

async function main(): Promise<void> {
  const [outArg, ...names] = process.argv.slice(2);
  // The same exports and brand font as the app with this environment (which passes them from config/).
  const local = localCompositionSettings(process.env);
  setBrandFontFile(local.brandFontFile);
  const outDir = resolve(outArg ?? 'out/samples');
  const checker = [resolve(__dirname, '../../shared/tools/check-ad'), resolve('../shared/tools/check-ad')].find((p) => existsSync(p));
  const requests = SAMPLE_REQUESTS.filter((r) => names.length === 0 || names.includes(r.name));
  for (const req of requests) {
    const workDir = join(outDir, req.name);
    mkdirSync(workDir, { recursive: true });
    const plan = makeAdPlan({ durationSeconds: req.durationSeconds, aspectRatio: req.aspectRatio, sample: req.name });
    const brand = sampleBrand(req.name);
    const t0 = Date.now();
    const image = await new LocalImageGenerator().generate({ plan, aspect_ratio: req.aspectRatio, brand_guidelines: brand }, context(workDir, 'img'));
    const t1 = Date.now();
    const slots = planTimeline(plan);
    const clipGen = new LocalClipGenerator();
    const clips = [];
    const clipSeconds: number[] = [];
    for (const [i, scene] of plan.scenes.entries()) {
      const r = await clipGen.generate(
        {
          scene,
          scene_index: i,
          scene_count: plan.scenes.length,
          plan,
          reference_image_uri: image.output.image_uri,
          clip_duration: slots[i].clipSeconds,
          aspect_ratio: req.aspectRatio,
          brand_guidelines: brand,
        },
        context(workDir, `clip${i}`),
      );
      clips.push(r.output);
      clipSeconds.push(r.processingTimeSeconds);
    }
    const t2 = Date.now();
    const comp = await new LocalCompositor(undefined, { exportGif: local.exportGif, exportWebm: local.exportWebm, keepIntermediates: process.env.KEEP === '1' }).compose(
      { plan, clips, duration: req.durationSeconds, aspect_ratio: req.aspectRatio, brand_guidelines: brand },
      context(workDir, 'compose'),
    );
    const t3 = Date.now();
    console.log(
      JSON.stringify({
        sample: req.name,
        imageSeconds: (t1 - t0) / 1000,
        clipSeconds,
        clipsTotalSeconds: (t2 - t1) / 1000,
        composeSeconds: (t3 - t2) / 1000,
        composeMeta: comp.metadata,
        output: comp.output,
      }),
    );
    if (checker) {
      const r = spawnSync(checker, [join(workDir, 'final.mp4'), '--duration', String(req.durationSeconds), '--aspect', req.aspectRatio, '--scenes', String(plan.scenes.length)], { encoding: 'utf8' });
      const lines = r.stdout.trim().split('\n');
      const report = r.stdout.slice(0, r.stdout.lastIndexOf('}') + 1);
      try {
        const j = JSON.parse(report) as Record<string, unknown>;
        console.log(JSON.stringify({ loudness: j.loudness, transitions: j.transitions, black_unexpected: j.black_unexpected, freezes: j.freezes, size_mb: j.size_mb }));
      } catch {
        console.log(report);
      }
      console.log(`${req.name}: ${lines[lines.length - 1]}`);
    }
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
