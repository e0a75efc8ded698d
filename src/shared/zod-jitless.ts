// Side-effect module, imported before the contract by code that runs under a strict CSP
// (renderer, preload): zod probes `new Function` when the contract's schemas are built, and
// a CSP without 'unsafe-eval' reports that probe as a violation even though zod catches it.
// Jitless zod never probes; these bundles never validate on a hot path.
import { z } from 'zod';

z.config({ jitless: true });
