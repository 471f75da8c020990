import { z } from 'zod';

// zod 4 compiles object parsers with `new Function` when it can; the CSP forbids eval, and even its
// probe for eval is reported as a violation. Jitless parsing is plenty fast for a few frames a second.
z.config({ jitless: true });
