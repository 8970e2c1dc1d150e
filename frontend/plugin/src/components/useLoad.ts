import { useCallback, useEffect, useState } from 'react';

/** A value loaded once (and again on `reload`), with its loading and error states. */
export interface Loaded<T> {
  value?: T;
  error?: Error;
  loading: boolean;
  reload: () => void;
}

/** `load` runs unless `enabled` is false (then nothing loads and `loading` is false). */
export function useLoad<T>(
  load: () => Promise<T>,
  deps: unknown[],
  enabled = true,
): Loaded<T> {
  const [state, setState] = useState<{ value?: T; error?: Error; loading: boolean }>({
    loading: true,
  });
  const [round, setRound] = useState(0);
  useEffect(() => {
    if (!enabled) {
      setState({ loading: false });
      return undefined;
    }
    let live = true;
    setState(s => ({ ...s, loading: true }));
    load().then(
      value => live && setState({ value, loading: false }),
      error => live && setState({ error: error as Error, loading: false }),
    );
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, round, enabled]);
  const reload = useCallback(() => setRound(r => r + 1), []);
  return { ...state, reload };
}
