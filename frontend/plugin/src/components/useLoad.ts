import { useCallback, useEffect, useState } from 'react';

/** A value loaded once (and again on `reload`), with its loading and error states. */
export interface Loaded<T> {
  value?: T;
  error?: Error;
  loading: boolean;
  reload: () => void;
}

export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): Loaded<T> {
  const [state, setState] = useState<{ value?: T; error?: Error; loading: boolean }>({
    loading: true,
  });
  const [round, setRound] = useState(0);
  useEffect(() => {
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
  }, [...deps, round]);
  const reload = useCallback(() => setRound(r => r + 1), []);
  return { ...state, reload };
}
