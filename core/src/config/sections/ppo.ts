/** Config section `ppo` (placeholder; the ppo area's owner replaces it with documented fields and defaults). */
import { z } from 'zod';

export const ppoSchema = z.looseObject({}).default({});
