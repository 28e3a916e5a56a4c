/**
 * zod compiles fast parsers with `new Function` when it may; the console's CSP forbids eval, and zod's probe
 * for it logs a CSP violation. Run zod in its eval-free mode. Imported first by main.tsx.
 */
import { z } from 'zod';

z.config({ jitless: true });
