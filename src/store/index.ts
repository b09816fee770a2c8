/** The store stage's public face. */
export { createStore, STORE_DROP_REASONS, type Store, type StoreDeps } from './influx.store.ts';
export { createHistoryQuery, influxQuery } from './history.query.ts';
export { findInfluxd, influxdVersion, startLocalInfluxd, freePort, type LocalInfluxd, type InfluxdLookup } from './local-influxd.ts';
export { toLine, escapeMeasurement, escapeTag, quoteString, quoteText, readStoredText } from './line-protocol.ts';
export type { StoreConfig, StoreSettings, StoreState, HistoryReader, LatestQuery, SeriesQuery } from './store.types.ts';
