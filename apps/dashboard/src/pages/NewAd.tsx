import { useEffect, useMemo, useState } from 'preact/hooks';
import { api, ApiError, getCapabilities, type AspectRatio, type Capabilities, type CostEstimate, type Platform, type UploadedAsset } from '../api';
import { Card, Icon } from '../components/ui';
import { formatBytes, formatUsd, stageLabel } from '../format';
import { navigate } from '../router';

/** Limits of the v1 and v2 bodies (docs/api.md): prompt 10–500 characters, 15–60 s. */
const MIN_PROMPT = 10;
const MAX_PROMPT = 500;
const MIN_DURATION = 15;
const MAX_DURATION = 60;
const PRESETS = [15, 30, 60];
const PLATFORMS: Array<{ id: Platform; label: string; aspect: AspectRatio | null; hint: string }> = [
  { id: 'tiktok', label: 'TikTok', aspect: '9:16', hint: 'Vertical 9:16' },
  { id: 'meta', label: 'Instagram / Meta', aspect: '9:16', hint: 'Vertical 9:16' },
  { id: 'youtube', label: 'YouTube', aspect: '16:9', hint: 'Landscape 16:9' },
  { id: 'custom', label: 'Custom', aspect: null, hint: 'Pick the ratio' },
];
const RATIOS: AspectRatio[] = ['9:16', '16:9', '1:1'];
const STYLE_PRESETS = [
  { id: 'cinematic', label: 'Cinematic' },
  { id: 'minimal', label: 'Minimal' },
  { id: 'luxury', label: 'Luxury' },
  { id: 'playful', label: 'Playful' },
  { id: 'bold', label: 'Bold' },
  { id: 'hd', label: 'HD stills' },
];
const EXPORTS = [
  { id: 'mp4', label: 'MP4 (H.264)' },
  { id: 'webm', label: 'WebM (VP9)' },
  { id: 'gif', label: 'GIF preview' },
];
const HEX = /^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/;
/** Upload rule (the asset limits of the upload API, docs/api.md): images and clips up to 50 MB. */
const MAX_ASSET_BYTES = 50 * 1000 * 1000;
const ASSET_TYPES = ['image/jpeg', 'image/png', 'video/mp4', 'video/quicktime'];

interface LocalAsset {
  key: string;
  name: string;
  size: number;
  type: string;
  preview: string | null;
  state: 'uploading' | 'done' | 'error';
  uploaded?: UploadedAsset;
  error?: string;
}

export function NewAdPage() {
  const [caps, setCaps] = useState<Capabilities | null>(null);
  const [name, setName] = useState('');
  const [prompt, setPrompt] = useState('');
  const [duration, setDuration] = useState(30);
  const [custom, setCustom] = useState(false);
  const [platform, setPlatform] = useState<Platform>('meta');
  const [aspect, setAspect] = useState<AspectRatio>('9:16');
  const [primary, setPrimary] = useState('#7C5CFF');
  const [secondary, setSecondary] = useState('#0B0B12');
  const [useBrand, setUseBrand] = useState(true);
  const [styleText, setStyleText] = useState('');
  const [presets, setPresets] = useState<string[]>(['cinematic']);
  const [variations, setVariations] = useState(1);
  const [exports, setExports] = useState<string[]>(['mp4']);
  const [assets, setAssets] = useState<LocalAsset[]>([]);
  const [estimate, setEstimate] = useState<CostEstimate | null>(null);
  const [submitting, setSubmitting] = useState(false);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [uploadGone, setUploadGone] = useState(false);

  useEffect(() => {
    void getCapabilities().then(setCaps);
  }, []);

  useEffect(() => {
    if (duration < MIN_DURATION || duration > MAX_DURATION) return;
    const t = setTimeout(() => {
      api.estimate(duration).then(setEstimate, () => setEstimate(null));
    }, 200);
    return () => clearTimeout(t);
  }, [duration]);

  const v2 = caps?.v2 ?? false;
  const count = prompt.trim().length;
  const promptOk = count >= MIN_PROMPT && count <= MAX_PROMPT;
  const durationOk = Number.isInteger(duration) && duration >= MIN_DURATION && duration <= MAX_DURATION;
  const colorsOk = !useBrand || (HEX.test(primary) && HEX.test(secondary));
  const uploading = assets.some((a) => a.state === 'uploading');
  const quote = useMemo(() => (estimate ? estimate.total * (v2 ? variations : 1) : null), [estimate, variations, v2]);

  const pickPlatform = (p: Platform) => {
    setPlatform(p);
    const a = PLATFORMS.find((x) => x.id === p)?.aspect;
    if (a) setAspect(a);
  };
  const toggle = (list: string[], set: (v: string[]) => void, id: string) => set(list.includes(id) ? list.filter((x) => x !== id) : [...list, id]);

  const addFiles = (files: FileList | null) => {
    if (!files) return;
    for (const file of Array.from(files)) {
      const key = `${file.name}-${file.size}-${Date.now()}`;
      if (!ASSET_TYPES.includes(file.type) || file.size > MAX_ASSET_BYTES) {
        setAssets((a) => [...a, { key, name: file.name, size: file.size, type: file.type, preview: null, state: 'error', error: file.size > MAX_ASSET_BYTES ? 'Larger than 50 MB' : 'Use JPG, PNG, MP4 or MOV' }]);
        continue;
      }
      const entry: LocalAsset = { key, name: file.name, size: file.size, type: file.type, preview: null, state: 'uploading' };
      setAssets((a) => [...a, entry]);
      if (file.type.startsWith('image/')) {
        // A data: URL, not a blob: one, so a strict img-src 'self' data: policy still shows it.
        const reader = new FileReader();
        reader.onload = () => setAssets((a) => a.map((x) => (x.key === key ? { ...x, preview: String(reader.result) } : x)));
        reader.readAsDataURL(file);
      }
      api.upload(file).then(
        (uploaded) => setAssets((a) => a.map((x) => (x.key === key ? { ...x, state: 'done', uploaded } : x))),
        (err: unknown) => {
          if (err instanceof ApiError && err.status === 404) {
            setUploadGone(true);
            setAssets([]);
            return;
          }
          setAssets((a) => a.map((x) => (x.key === key ? { ...x, state: 'error', error: (err as Error).message } : x)));
        },
      );
    }
  };

  const submit = async (e: Event) => {
    e.preventDefault();
    const errs: Record<string, string> = {};
    if (!promptOk) errs.prompt = count < MIN_PROMPT ? `Write at least ${MIN_PROMPT} characters.` : `Keep it under ${MAX_PROMPT} characters.`;
    if (!durationOk) errs.duration = `Pick a whole number of seconds from ${MIN_DURATION} to ${MAX_DURATION}.`;
    if (!colorsOk) errs.colors = 'Colours must be hex values such as #7C5CFF.';
    setErrors(errs);
    if (Object.keys(errs).length > 0) return;
    setSubmitting(true);
    setFormError(null);
    const style = [styleText.trim(), ...presets.filter((p) => p !== 'hd')].filter(Boolean).join(', ').slice(0, 100);
    try {
      let id: string;
      if (v2) {
        const created = await api.createV2({
          creativePrompt: prompt.trim(),
          duration,
          platform,
          aspectRatio: aspect,
          ...(name.trim() ? { videoName: name.trim() } : {}),
          stylePresets: presets,
          ...(useBrand ? { brandGuidelines: { primaryColor: primary, secondaryColor: secondary, ...(styleText.trim() ? { style: styleText.trim().slice(0, 100) } : {}) } } : {}),
          exportFormats: exports,
          numberOfVariations: variations,
          assets: assets.filter((a) => a.state === 'done' && a.uploaded?.id).map((a) => ({ id: a.uploaded!.id })),
        });
        id = created.job_id;
      } else {
        const created = await api.createV1({
          prompt: prompt.trim(),
          duration,
          aspect_ratio: aspect,
          ...(useBrand || style ? { brand_guidelines: { ...(useBrand ? { primary_color: primary, secondary_color: secondary } : {}), ...(style ? { style } : {}) } } : {}),
        });
        id = created.job_id;
      }
      navigate(`/jobs/${id}`);
    } catch (err) {
      if (err instanceof ApiError && err.status === 400) {
        const fields = Object.keys(err.details ?? {});
        setFormError(`${err.message}${fields.length ? ` (${fields.join(', ')})` : ''}`);
      } else setFormError((err as Error).message);
    } finally {
      setSubmitting(false);
    }
  };

  const countTone = count === 0 ? '' : promptOk ? 'ok' : 'bad';

  return (
    <form class="page page-new" onSubmit={submit} noValidate aria-labelledby="new-title">
      <header class="page-head">
        <div>
          <h1 id="new-title">New ad</h1>
          <p class="lede">{v2 ? 'Describe the ad; you review the storyboard and its price before any video is made.' : 'Describe the ad and we produce the finished video.'}</p>
        </div>
      </header>

      <div class="new-grid">
        <div class="new-main">
          <Card title="Brief" id="brief">
            {v2 && (
              <div class="field">
                <label for="video-name">Ad name <span class="optional">optional</span></label>
                <input id="video-name" name="videoName" type="text" maxLength={120} value={name} onInput={(e) => setName(e.currentTarget.value)} placeholder="Spring launch — 30 s" />
              </div>
            )}
            <div class="field">
              <div class="label-row">
                <label for="prompt">Creative prompt</label>
                <span id="prompt-count" class={`counter counter-${countTone}`} aria-live="polite" data-testid="prompt-count">
                  {count} / {MAX_PROMPT}
                </span>
              </div>
              <textarea
                id="prompt"
                name="prompt"
                rows={5}
                maxLength={MAX_PROMPT}
                value={prompt}
                aria-describedby="prompt-help prompt-count"
                aria-invalid={errors.prompt ? 'true' : undefined}
                onInput={(e) => setPrompt(e.currentTarget.value)}
                placeholder="A 30 second ad for a handmade ceramic coffee cup: slow morning light, steam, warm earthy tones, ending on the logo."
              />
              <p id="prompt-help" class={errors.prompt ? 'help help-bad' : 'help'}>
                {errors.prompt ?? `Between ${MIN_PROMPT} and ${MAX_PROMPT} characters. Say what you sell, the mood and what viewers should do.`}
              </p>
            </div>

            <fieldset class="field">
              <legend>Length</legend>
              <div class="segmented" role="radiogroup" aria-label="Length">
                {PRESETS.map((p) => (
                  <label class={`seg ${!custom && duration === p ? 'seg-on' : ''}`} key={p}>
                    <input type="radio" name="duration-preset" value={p} checked={!custom && duration === p} onChange={() => { setCustom(false); setDuration(p); }} />
                    {p} s
                  </label>
                ))}
                <label class={`seg ${custom ? 'seg-on' : ''}`}>
                  <input type="radio" name="duration-preset" value="custom" checked={custom} onChange={() => setCustom(true)} />
                  Custom
                </label>
              </div>
              {custom && (
                <div class="inline-field">
                  <label for="duration-custom">Seconds (15–60)</label>
                  <input id="duration-custom" type="number" min={MIN_DURATION} max={MAX_DURATION} step={1} value={duration} aria-invalid={errors.duration ? 'true' : undefined} onInput={(e) => setDuration(Number(e.currentTarget.value))} />
                </div>
              )}
              {errors.duration && <p class="help help-bad">{errors.duration}</p>}
            </fieldset>

            <fieldset class="field">
              <legend>Where it runs</legend>
              <div class="platforms">
                {PLATFORMS.map((p) => (
                  <label class={`platform ${platform === p.id ? 'platform-on' : ''}`} key={p.id}>
                    <input type="radio" name="platform" value={p.id} checked={platform === p.id} onChange={() => pickPlatform(p.id)} />
                    <span class="platform-name">{p.label}</span>
                    <span class="platform-hint">{p.hint}</span>
                  </label>
                ))}
              </div>
              <div class="inline-field">
                <label for="aspect">Aspect ratio</label>
                <select id="aspect" name="aspectRatio" value={aspect} onChange={(e) => setAspect(e.currentTarget.value as AspectRatio)}>
                  {RATIOS.map((r) => (
                    <option value={r} key={r}>
                      {r === '9:16' ? '9:16 vertical' : r === '16:9' ? '16:9 landscape' : '1:1 square'}
                    </option>
                  ))}
                </select>
                <span class={`ratio-preview ratio-${aspect.replace(':', 'x')}`} aria-hidden="true" />
              </div>
            </fieldset>
          </Card>

          <Card title="Look and feel" id="look">
            <div class="field">
              <label class="check">
                <input type="checkbox" checked={useBrand} onChange={(e) => setUseBrand(e.currentTarget.checked)} />
                Use brand colours
              </label>
              {useBrand && (
                <div class="colors">
                  <ColorField id="primary" label="Primary colour" value={primary} onChange={setPrimary} />
                  <ColorField id="secondary" label="Secondary colour" value={secondary} onChange={setSecondary} />
                </div>
              )}
              {errors.colors && <p class="help help-bad">{errors.colors}</p>}
            </div>
            <fieldset class="field">
              <legend>Style</legend>
              <div class="chips">
                {STYLE_PRESETS.filter((s) => v2 || s.id !== 'hd').map((s) => (
                  <label class={`chip ${presets.includes(s.id) ? 'chip-on' : ''}`} key={s.id}>
                    <input type="checkbox" name="stylePresets" value={s.id} checked={presets.includes(s.id)} onChange={() => toggle(presets, setPresets, s.id)} />
                    {s.label}
                  </label>
                ))}
              </div>
            </fieldset>
            <div class="field">
              <label for="style-text">Style notes <span class="optional">optional</span></label>
              <input id="style-text" type="text" maxLength={100} value={styleText} onInput={(e) => setStyleText(e.currentTarget.value)} placeholder="warm film grain, soft focus" />
            </div>
          </Card>

          {v2 && (
            <Card title="Deliverables" id="deliverables">
              <fieldset class="field">
                <legend>Variations</legend>
                <div class="segmented" role="radiogroup" aria-label="Variations">
                  {[1, 2, 3].map((n) => (
                    <label class={`seg ${variations === n ? 'seg-on' : ''}`} key={n}>
                      <input type="radio" name="numberOfVariations" value={n} checked={variations === n} onChange={() => setVariations(n)} />
                      {n}
                    </label>
                  ))}
                </div>
              </fieldset>
              <fieldset class="field">
                <legend>Export formats</legend>
                <div class="chips">
                  {EXPORTS.map((x) => (
                    <label class={`chip ${exports.includes(x.id) ? 'chip-on' : ''}`} key={x.id}>
                      <input type="checkbox" name="exportFormats" value={x.id} checked={exports.includes(x.id)} onChange={() => toggle(exports, setExports, x.id)} />
                      {x.label}
                    </label>
                  ))}
                </div>
              </fieldset>
              {caps?.upload && !uploadGone && (
                <div class="field">
                  <label for="assets">Brand assets <span class="optional">JPG, PNG, MP4, MOV · up to 50 MB</span></label>
                  <input id="assets" type="file" multiple accept=".jpg,.jpeg,.png,.mp4,.mov,image/jpeg,image/png,video/mp4,video/quicktime" onChange={(e) => addFiles(e.currentTarget.files)} />
                  {assets.length > 0 && (
                    <ul class="asset-list">
                      {assets.map((a) => (
                        <li class={`asset asset-${a.state}`} key={a.key}>
                          {a.preview ? <img src={a.preview} alt={`Preview of ${a.name}`} /> : <span class="asset-kind">{a.type.startsWith('video/') ? 'Video' : 'File'}</span>}
                          <span class="asset-name">{a.name}</span>
                          <span class="asset-meta">{a.state === 'error' ? a.error : a.state === 'uploading' ? 'Uploading…' : formatBytes(a.size)}</span>
                          <button type="button" class="btn-icon" aria-label={`Remove ${a.name}`} onClick={() => setAssets((l) => l.filter((x) => x.key !== a.key))}>
                            <Icon name="x" />
                          </button>
                        </li>
                      ))}
                    </ul>
                  )}
                </div>
              )}
            </Card>
          )}
        </div>

        <aside class="new-side">
          <Card title="Estimate" id="estimate" class="sticky">
            <dl class="quote" data-testid="estimate">
              {estimate ? (
                <>
                  {Object.entries(estimate.breakdown).map(([k, v]) => (
                    <div class="quote-row" key={k}>
                      <dt>{stageLabel(k)}</dt>
                      <dd>{formatUsd(v * (v2 && k === 'video_generation' ? variations : 1))}</dd>
                    </div>
                  ))}
                  <div class="quote-row quote-total">
                    <dt>Total {v2 && variations > 1 ? `(${variations} variations)` : ''}</dt>
                    <dd data-testid="estimate-total">{formatUsd(quote)}</dd>
                  </div>
                </>
              ) : (
                <p class="muted">{durationOk ? 'Calculating…' : 'Pick a length to see the price.'}</p>
              )}
            </dl>
            <p class="help">{v2 ? 'Nothing is spent on video until you approve the storyboard.' : 'Charged as the stages run; a failed job keeps only what it used.'}</p>
            {formError && (
              <p class="form-error" role="alert">
                {formError}
              </p>
            )}
            {/* Enabled while the form is incomplete, so it stays a tab stop; submitting then names what is missing. */}
            <button type="submit" class="btn btn-primary btn-block" disabled={submitting || uploading}>
              {submitting ? 'Starting…' : v2 ? 'Create storyboard' : 'Generate ad'}
            </button>
            {!v2 && caps && <p class="help fine">Storyboard review, variations and export formats arrive with API v2 on this server.</p>}
          </Card>
        </aside>
      </div>
    </form>
  );
}

function ColorField({ id, label, value, onChange }: { id: string; label: string; value: string; onChange: (v: string) => void }) {
  const valid = HEX.test(value);
  return (
    <div class="color-field">
      <label for={`${id}-picker`}>{label}</label>
      <div class="color-row">
        <input id={`${id}-picker`} type="color" value={valid && value.length === 7 ? value : '#000000'} onInput={(e) => onChange(e.currentTarget.value.toUpperCase())} />
        <input id={`${id}-hex`} type="text" aria-label={`${label} hex value`} value={value} maxLength={7} aria-invalid={valid ? undefined : 'true'} onInput={(e) => onChange(e.currentTarget.value)} />
      </div>
    </div>
  );
}
