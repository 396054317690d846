import { KeeperError } from '../errors/keeper-error.js';

/** ZooKeeper's CreateMode, with its wire numbers (`CreateMode.toFlag`). */
export const CreateMode = {
  PERSISTENT: 0,
  EPHEMERAL: 1,
  PERSISTENT_SEQUENTIAL: 2,
  EPHEMERAL_SEQUENTIAL: 3,
  CONTAINER: 4,
  PERSISTENT_WITH_TTL: 5,
  PERSISTENT_SEQUENTIAL_WITH_TTL: 6,
} as const;

export type CreateModeName = keyof typeof CreateMode;
export type CreateModeFlag = (typeof CreateMode)[CreateModeName];

const modeNames = Object.keys(CreateMode) as CreateModeName[];

export function createModeFromFlag(flag: number): CreateModeFlag {
  const name = modeNames.find((n) => CreateMode[n] === flag);
  if (name === undefined) throw new KeeperError('BADARGUMENTS', `unknown create mode ${flag}`);
  return CreateMode[name];
}

export function createModeName(flag: CreateModeFlag): CreateModeName {
  const name = modeNames.find((n) => CreateMode[n] === flag);
  if (name === undefined) throw new KeeperError('BADARGUMENTS', `unknown create mode ${flag}`);
  return name;
}

export function isSequential(mode: CreateModeFlag): boolean {
  return (
    mode === CreateMode.PERSISTENT_SEQUENTIAL ||
    mode === CreateMode.EPHEMERAL_SEQUENTIAL ||
    mode === CreateMode.PERSISTENT_SEQUENTIAL_WITH_TTL
  );
}

export function isEphemeral(mode: CreateModeFlag): boolean {
  return mode === CreateMode.EPHEMERAL || mode === CreateMode.EPHEMERAL_SEQUENTIAL;
}

export function isTtl(mode: CreateModeFlag): boolean {
  return mode === CreateMode.PERSISTENT_WITH_TTL || mode === CreateMode.PERSISTENT_SEQUENTIAL_WITH_TTL;
}

export function isContainer(mode: CreateModeFlag): boolean {
  return mode === CreateMode.CONTAINER;
}

/** ZooKeeper's limit on a TTL (EphemeralType.TTL max: 2^40 - 1 ms). */
export const TTL_MAX_MS = 2 ** 40 - 1;
