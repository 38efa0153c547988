import { AppError } from '../../../common/app-error';
import type { ClipShape } from '../../../media/clip-fit';
import { probeMedia, type MediaProbe } from '../../../media/ffprobe';

/** What the compositor needs of a clip: its picture's shape and its length (seconds; undefined when unstated). */
export interface ClipSource {
  shape: ClipShape;
  seconds: number | undefined;
}

/**
 * Probes one clip before the render, so a file that is not a video fails with a clear reason instead of an
 * ffmpeg error mid-render, and so the graph can fit, rotate and slow it (docs/design/composition.md).
 * @throws AppError `COMPOSITION_FAILED` with `details.reason` `INVALID_MEDIA` (unreadable, or no picture)
 */
export async function probeClip(path: string, sceneNumber: number, uri: string): Promise<ClipSource> {
  let probe: MediaProbe;
  try {
    probe = await probeMedia(path);
  } catch (err) {
    throw new AppError('COMPOSITION_FAILED', `the clip of scene ${sceneNumber} is not a media file ffprobe can read`, {
      details: { reason: 'INVALID_MEDIA', scene_number: sceneNumber, clip_uri: uri, last_error: (err as Error).message.slice(-300) },
      cause: err,
    });
  }
  const video = probe.streams.find((st) => st.type === 'video' && st.widthPx && st.heightPx);
  if (!video?.widthPx || !video.heightPx) {
    throw new AppError('COMPOSITION_FAILED', `the clip of scene ${sceneNumber} has no picture`, {
      details: { reason: 'INVALID_MEDIA', scene_number: sceneNumber, clip_uri: uri, format: probe.formatName, streams: probe.streams.map((st) => st.codec) },
    });
  }
  const seconds = video.durationSeconds ?? (probe.durationSeconds > 0 ? probe.durationSeconds : undefined);
  return {
    shape: { widthPx: video.widthPx, heightPx: video.heightPx, rotationDegrees: video.rotationDegrees, sampleAspectRatio: video.sampleAspectRatio },
    seconds,
  };
}
