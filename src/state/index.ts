/** The operational database stage: open it with `openState`; everything else goes through the StateStore it returns. */
export { openState } from './state.stage.ts';
export type * from './state.types.ts';
