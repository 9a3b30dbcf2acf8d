import { FormatError, saveState } from '@decoders/core';
import { describe, expect, it } from 'vitest';
import { decodeModel, encodeModel, MODEL_FORMAT } from '../src/model-file.js';

const state = { weights: 'AAAA', layers: [1, 2, 3], name: 'x' };

describe('model file bytes', () => {
  it('round-trips compressed and plain', async () => {
    const gz = await encodeModel(state);
    expect(gz[0]).toBe(0x1f);
    expect(await decodeModel(gz)).toEqual(state);
    expect(await decodeModel(await encodeModel(state, false))).toEqual(state);
  });

  it('rejects truncated, edited, foreign and newer files with a FormatError', async () => {
    const gz = await encodeModel(state);
    await expect(decodeModel(gz.subarray(0, gz.length - 9))).rejects.toThrow(FormatError);
    const plain = new TextDecoder().decode(await encodeModel(state, false));
    const edited = new TextEncoder().encode(plain.replace('"x"', '"y"'));
    await expect(decodeModel(edited)).rejects.toThrow(/checksum/);
    await expect(decodeModel(new TextEncoder().encode('a,b\n1,2\n'))).rejects.toThrow(
      /not a Decoders model/,
    );
    const other = new TextEncoder().encode(
      JSON.stringify(saveState('decoders.isolation-forest', 1, state)),
    );
    await expect(decodeModel(other)).rejects.toThrow(/expected a saved decoders.pipeline/);
    const newer = new TextEncoder().encode(JSON.stringify(saveState(MODEL_FORMAT, 99, state)));
    await expect(decodeModel(newer)).rejects.toThrow(/newer/);
    await expect(decodeModel(new Uint8Array())).rejects.toThrow(/empty/);
  });
});
