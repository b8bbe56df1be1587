/** Config section `grpo` (placeholder; the grpo area's owner replaces it with documented fields and defaults). */
import { z } from 'zod';

export const grpoSchema = z.looseObject({}).default({});
