/**
 * ZooKeeper's OpCode numbers (ZooDefs.OpCode), used as the tag of every request body, reply body and
 * txn. Where meshkeeper folds several of ZooKeeper's opcodes into one (createContainer and createTTL
 * are create with a mode; setWatches2 is setWatches), the tag is the plain one.
 */
export const OpCode = {
  error: -1,
  createSession: -10,
  closeSession: -11,
  /** meshkeeper's own: a session re-attached to another replica (ZooKeeper keeps owners leader-local). */
  moveSession: -20,
  create: 1,
  delete: 2,
  exists: 3,
  getData: 4,
  setData: 5,
  getACL: 6,
  setACL: 7,
  getChildren: 8,
  sync: 9,
  ping: 11,
  getChildren2: 12,
  check: 13,
  multi: 14,
  create2: 15,
  removeWatches: 18,
  deleteContainer: 20,
  multiRead: 22,
  addAuthInfo: 100,
  getEphemerals: 103,
  getAllChildrenNumber: 104,
  setWatches: 105,
  addWatch: 106,
  whoAmI: 107,
} as const;

export type OpCodeName = keyof typeof OpCode;
export type OpCodeNumber = (typeof OpCode)[OpCodeName];
