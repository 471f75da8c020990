import { z } from 'zod';

/** A finite number (rejects NaN and ±Infinity), with messages a user can act on. */
export const Finite = z.number({ error: 'must be a number' }).refine(Number.isFinite, 'must be a finite number (not NaN or Infinity)');
export const Positive = z.number({ error: 'must be a number' }).finite('must be a finite number').gt(0, 'must be greater than 0');
export const NonNegative = z.number({ error: 'must be a number' }).finite('must be a finite number').gte(0, 'must not be negative');
