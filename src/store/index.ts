/** The store stage's public face. */
export { createStore, type Store, type StoreDeps } from './influx.store.ts';
export { createHistoryQuery, influxQuery } from './history.query.ts';
export { findInfluxd, startLocalInfluxd, freePort, type LocalInfluxd, type InfluxdLookup } from './local-influxd.ts';
export { toLine } from './line-protocol.ts';
export type { StoreConfig, StoreSettings, StoreState, HistoryReader, LatestQuery, SeriesQuery } from './store.types.ts';
