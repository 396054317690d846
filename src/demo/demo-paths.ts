/** Where the demo's znodes live. */
export const DEMO_ROOT = '/meshkeeper-demo';

export const DEMO_PATHS = {
  lock: `${DEMO_ROOT}/lock`,
  leader: `${DEMO_ROOT}/leader`,
  barrier: `${DEMO_ROOT}/barrier`,
  barrierWaiting: `${DEMO_ROOT}/barrier-waiting`,
  counter: `${DEMO_ROOT}/counter`,
  online: `${DEMO_ROOT}/online`,
  latency: `${DEMO_ROOT}/latency`,
} as const;
