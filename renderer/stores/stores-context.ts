import { createContext, useContext } from 'react';
import type { AppStores } from './create-stores.js';

export const StoresContext = createContext<AppStores | null>(null);

/** The app's stores; panels read them with zustand's `useStore(stores.x, selector)`. */
export function useStores(): AppStores {
  const stores = useContext(StoresContext);
  if (!stores) throw new Error('useStores() needs a <StoresContext.Provider> around the app');
  return stores;
}
