/**
 * A tiny store: a state object, `update(patch)` merges into it and calls the listener (the view re-renders).
 */
export interface Store<S extends object> {
  readonly state: S;
  update(patch: Partial<S>): void;
}

/** A store holding `initial`; every `update` calls `onChange` with the new state. */
export function createStore<S extends object>(initial: S, onChange: (state: S) => void): Store<S> {
  let state = initial;
  return {
    get state() {
      return state;
    },
    update(patch) {
      state = { ...state, ...patch };
      onChange(state);
    },
  };
}
