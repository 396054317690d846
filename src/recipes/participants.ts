import type { MeshKeeperClient } from '../client/client.js';
import { isKeeperError } from '../errors/keeper-error.js';
import { joinPath, sortBySequence } from './paths.js';
import { retrying } from './retry.js';

/** One participant of an election (Curator's Participant). */
export interface Participant {
  /** The id the participant gave (its node's data as UTF-8). */
  readonly id: string;
  /** Its node. */
  readonly nodePath: string;
  /** True for the first participant: the leader. */
  readonly isLeader: boolean;
}

const utf8 = new TextDecoder();

/** The participants under `path` whose node names contain `marker`, in order (nodes that vanish while read are left out). */
export async function readParticipants(client: MeshKeeperClient, path: string, marker: string): Promise<Participant[]> {
  let children: string[];
  try {
    children = await retrying(client, () => client.getChildren(path));
  } catch (error) {
    if (isKeeperError(error, 'NONODE')) return [];
    throw error;
  }
  const reads = sortBySequence(children, marker).map(async (name) => {
    const nodePath = joinPath(path, name);
    try {
      const { data } = await retrying(client, () => client.getData(nodePath));
      return { id: utf8.decode(data), nodePath };
    } catch (error) {
      if (isKeeperError(error, 'NONODE')) return undefined;
      throw error;
    }
  });
  const found = (await Promise.all(reads)).filter((entry) => entry !== undefined);
  return found.map((entry, index) => ({ ...entry, isLeader: index === 0 }));
}
