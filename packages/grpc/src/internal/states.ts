/** grpc-js `ConnectivityState` values (`build/src/connectivity-state.js`). */
export const IDLE = 0;
export const CONNECTING = 1;
export const READY = 2;
export const TRANSIENT_FAILURE_STATE = 3;
export const SHUTDOWN = 4;
