/** Types of watchdog.mjs (plain JavaScript, so the tsx bootstrap can start it before loading anything). */
export const WATCHDOG_INTERVAL_MS: number;
/** Kill this process within about `ms` of its parent's death (the parent from TSDYN_PARENT_PID, else the current one). */
export function watchParent(ms?: number): void;
