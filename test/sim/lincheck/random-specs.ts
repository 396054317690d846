import type { Prng } from '../../../src/util/prng.js';
import type { KeyedState } from './keyed-model.js';
import { applyKv, type KvInput, type KvOutput, type RegisterValue } from './kv-model.js';
import type { HistorySpec } from './random-history.js';
import { valuesOf } from './znode-history.js';
import { applyZnode, currentValue, floorOf, INITIAL_ZNODE_STATE, readOf, type ZnodeInput, type ZnodeOutput, type ZnodeState } from './znode-model.js';

const pick = <T>(prng: Prng, items: readonly T[]): T => items[prng.nextInt(items.length)]!;

/** Reads, writes of fresh values and CAS (half of them expecting the current value) over `keyCount` keys. */
export function kvHistorySpec(keyCount: number): HistorySpec<KeyedState<RegisterValue>, KvInput, KvOutput> {
  let written = 0;
  const keys = Array.from({ length: keyCount }, (_, i) => `k${i}`);
  return {
    randomInput(prng, state) {
      const key = pick(prng, keys);
      const roll = prng.nextInt(10);
      if (roll < 4) return { kind: 'read', key };
      written += 1;
      if (roll < 8) return { kind: 'write', key, value: `v${written}` };
      const current = state.get(key) ?? null;
      const expected = prng.chance(0.5) ? current : prng.chance(0.5) ? null : `v${prng.nextIntBetween(1, written)}`;
      return { kind: 'cas', key, expected, value: `v${written}` };
    },
    answer: (_prng, state, input) => applyKv(state.get(input.key) ?? null, input).output,
  };
}

/** ZooKeeper-style operations over `pathCount` paths, with plain reads stale at random. */
export function znodeHistorySpec(pathCount: number): HistorySpec<KeyedState<ZnodeState>, ZnodeInput, ZnodeOutput> {
  let written = 0;
  const paths = Array.from({ length: pathCount }, (_, i) => `/p${i}`);
  return {
    randomInput(prng, state) {
      const path = pick(prng, paths);
      const node = currentValue(state.get(path) ?? INITIAL_ZNODE_STATE);
      const version = pick(prng, [-1, node.version, node.version, node.version + 1, Math.max(0, node.version - 1)]);
      written += 1;
      const data = `d${written}`;
      switch (prng.nextInt(6)) {
        case 0:
          return { kind: 'create', path, data };
        case 1:
          return { kind: 'setData', path, data, version };
        case 2:
          return prng.chance(0.5) ? { kind: 'delete', path, version } : { kind: 'setData', path, data, version };
        case 3:
          return { kind: 'syncGetData', path };
        default:
          return { kind: 'getData', path };
      }
    },
    answer(prng, state, input, clientId) {
      const pathState = state.get(input.path) ?? INITIAL_ZNODE_STATE;
      if (input.kind === 'getData') {
        const values = valuesOf(pathState.history);
        return readOf(values[prng.nextIntBetween(floorOf(pathState, clientId), values.length - 1)]!);
      }
      return applyZnode(currentValue(pathState), input).output;
    },
  };
}
