/** The grpc-js `ConnectivityState` values the adapter reads (`build/src/connectivity-state.js`). */
export const IDLE = 0;
export const CONNECTING = 1;
export const SHUTDOWN = 4;
