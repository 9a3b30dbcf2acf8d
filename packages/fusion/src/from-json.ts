/** Loads either fusion model from its saved state, dispatching on the saved format. */
import { FormatError } from '@decoders/core';
import { ATTENTION_FUSION_FORMAT, AttentionFusion } from './attention-fusion.js';
import { RANK_FUSION_FORMAT, RankFusion } from './rank-fusion.js';

/**
 * Restores an {@link AttentionFusion} or a {@link RankFusion} from `toJSON()` output (object or
 * JSON text).
 * @throws FormatError when the input is not a saved fusion model.
 */
export function fusionFromJSON(json: unknown): AttentionFusion | RankFusion {
  let value = json;
  if (typeof json === 'string') {
    try {
      value = JSON.parse(json);
    } catch (error) {
      throw new FormatError(
        `saved fusion is not valid JSON (${(error as Error).message}): ` +
          'the file is corrupt or truncated',
      );
    }
  }
  const format = (value as { format?: unknown } | null)?.format;
  if (format === ATTENTION_FUSION_FORMAT) return AttentionFusion.fromJSON(value);
  if (format === RANK_FUSION_FORMAT) return RankFusion.fromJSON(value);
  throw new FormatError(
    `expected a saved fusion model ('${ATTENTION_FUSION_FORMAT}' or '${RANK_FUSION_FORMAT}') ` +
      `but found ${JSON.stringify(format ?? null)}`,
  );
}
