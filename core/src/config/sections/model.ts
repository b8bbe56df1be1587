/** Config section `model` (placeholder; the model area's owner replaces it with documented fields and defaults). */
import { z } from 'zod';

export const modelSchema = z.looseObject({}).default({});
